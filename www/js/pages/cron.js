// Cron jobs: e.g. "HA update and reconfigure backup" on a schedule.
import { crudPage } from '../crud.js';

export const title = 'System: Cron';
export const subsys = ['cron'];

export function render(ctx, root) {
  root.append(crudPage(ctx, {
    sec: 'cron_jobs', noun: 'job', nameField: 'descr', labels: { descr: 'Description' },
    order: ['enabled', 'minute', 'hour', 'day', 'month', 'weekday', 'command', 'parameters', 'descr'],
    columns: ['minute', 'hour', 'day', 'month', 'weekday', 'command', 'descr'],
    intro: 'ha_sync pushes the configuration to the backup (only while every CARP VIP here is MASTER); ha_sync_restart also restarts its services.',
  }).el);
}

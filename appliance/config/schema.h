/* schema.h — the migrations compiled in from schema/NNN_name.sql. */
#ifndef TW_SCHEMA_H
#define TW_SCHEMA_H

struct schema_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

/* Ordered by version, terminated by { 0, NULL, NULL }. */
extern const struct schema_migration schema_migrations[];

#endif

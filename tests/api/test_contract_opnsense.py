#!/usr/bin/env python3
"""OPNsense's own API clients against a real twinwall daemon: the requests
the Ansible collection ansibleguy.opnsense, the Terraform provider (its Go
library opnsense-go) and opn-cli send, one by one, for aliases, filter
rules, source NAT, port forwards, VIPs, gateways, routes, cron and users,
and each answer checked field by field against what that client reads.

Written from what those clients do (paths, body keys, fields, how they
read a model-level get and the {key:{value,selected}} option fields, what
they do on result:failed); none of their code is here.

Each client flow: create, read, update, toggle, apply, a second run that
must find nothing to change (idempotence as the client decides it), and
delete.

    python3 tests/api/test_contract_opnsense.py [-k substring]

Prints "PASS name" / "FAIL name: reason" and "N passed, N failed".
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
import twdaemon  # noqa: E402
from twdaemon import check  # noqa: E402


class Env:
    pass


# --- what the clients do with answers --------------------------------------

def is_true(v):
    return v in (1, "1", True)


def selected(opts, what):
    """One option field, read as the Ansible collection and the Terraform
    library read it: the key whose "selected" is 1/true."""
    check(isinstance(opts, dict), "%s: not an option field: %r" % (what, opts))
    keys = [k for k, o in opts.items() if is_true(o.get("selected"))]
    check(len(keys) <= 1, "%s: several selected: %r" % (what, keys))
    for k, o in opts.items():
        check(isinstance(o, dict) and "value" in o and "selected" in o,
              "%s: option %r is not {value,selected}: %r" % (what, k, o))
    return keys[0] if keys else ""


def selected_list(opts, what):
    check(isinstance(opts, dict), "%s: not an option list: %r" % (what, opts))
    return sorted(k for k, o in opts.items() if is_true(o.get("selected")))


def model_get(d, path, keypath):
    """GET <path>, then walk keypath ("alias.aliases.alias"): the items by
    uuid, as the Ansible collection's search and opn-cli's model reads do."""
    j = d.ok("GET", path)
    for k in keypath.split("."):
        check(isinstance(j, dict) and k in j, "%s: no %r in %r" % (
            path, k, list(j) if isinstance(j, dict) else j))
        j = j[k]
    check(isinstance(j, dict), "%s: items are not keyed by uuid: %r" % (
        path, j))
    return j


def post_ok(d, path, body=None, want=("saved",)):
    """A write as the clients check it: HTTP 200 and result in want."""
    r = d.post(path, body)
    check(r.status == 200, "%s: HTTP %d %r" % (path, r.status, r.raw[:300]))
    j = r.json
    check(j.get("result") in want, "%s: result %r (want %s)" % (
        path, j, "/".join(want)))
    return j


def reconfigure(d, path):
    """Apply as opnsense-go and opn-cli check it: status, trimmed and
    lowercased, is "ok". None: the section needs no apply."""
    if path is None:
        return
    j = d.ok("POST", path)
    st = str(j.get("status") or j.get("result") or "").strip().lower()
    check(st == "ok", "%s: status %r" % (path, j))


def tf_get(d, path, monad):
    """opnsense-go's Get: the body is a JSON object whose monad key holds
    the item; [] (not an object) means "gone"."""
    j = d.ok("GET", path)
    if isinstance(j, list):
        return None
    check(isinstance(j, dict) and monad in j, "%s: no %r: %r" % (
        path, monad, j))
    return j[monad]


# --- setup -----------------------------------------------------------------

def setup():
    e = Env()
    e.d = twdaemon.Daemon("contract", auto_key=True).start()
    d = e.d
    d.ok("POST", "/api/interfaces/settings/set_item/lan",
         {"interface": {"device": "lan0"}})
    d.ok("POST", "/api/interfaces/settings/set_item/wan",
         {"interface": {"device": "wan0", "ipaddr": "198.51.100.2",
                        "subnet": "24"}})
    return e


# --- ansibleguy.opnsense ---------------------------------------------------

def ansible_run(d, spec, params):
    """One run of a module: read the model, find the item by its match
    field, then create, update, enable/disable or do nothing. Returns
    (changed, uuid)."""
    items = model_get(d, spec["get"], spec["path"])
    found = None
    for uuid, item in items.items():
        simple = spec["simplify"](item)
        if all(str(simple[f]) == str(params[f]) for f in spec["match"]):
            found = (uuid, simple)
            break
    body = {spec["key"]: spec["request"](params)}
    if params.get("state") == "absent":
        if found is None:
            return False, None
        post_ok(d, spec["del"] + "/" + found[0], want=("deleted",))
        reconfigure(d, spec["apply"])
        return True, found[0]
    if found is None:
        j = post_ok(d, spec["add"], body)
        check("uuid" in j, "add: no uuid: %r" % j)
        reconfigure(d, spec["apply"])
        return True, j["uuid"]
    uuid, simple = found
    for f in spec["change"]:
        if str(simple[f]) != str(params[f]):
            post_ok(d, spec["set"] + "/" + uuid, body)
            reconfigure(d, spec["apply"])
            return True, uuid
    if "toggle" in spec and simple["enabled"] != params["enabled"]:
        j = d.ok("POST", "%s/%s/%d" % (spec["toggle"], uuid,
                                       1 if params["enabled"] else 0))
        check(j.get("changed") is True, "toggle: %r" % j)
        reconfigure(d, spec["apply"])
        return True, uuid
    return False, uuid


def ansible_flow(d, spec, params, update):
    changed, uuid = ansible_run(d, spec, params)
    check(changed and uuid, "first run: no change")
    changed, u2 = ansible_run(d, spec, params)
    check(not changed and u2 == uuid, "second run changed something "
          "(not idempotent)")
    params = dict(params, **update)
    changed, _ = ansible_run(d, spec, params)
    check(changed, "update: no change")
    changed, _ = ansible_run(d, spec, params)
    check(not changed, "update: second run changed something")
    if "toggle" in spec:
        changed, _ = ansible_run(d, spec, dict(params, enabled=False))
        check(changed, "disable: no change")
        items = model_get(d, spec["get"], spec["path"])
        check(not spec["simplify"](items[uuid])["enabled"],
              "disable: still enabled")
        changed, _ = ansible_run(d, spec, dict(params, enabled=False))
        check(not changed, "disable: second run changed something")
        ansible_run(d, spec, params)
    changed, _ = ansible_run(d, spec, dict(params, state="absent"))
    check(changed, "delete: no change")
    check(uuid not in model_get(d, spec["get"], spec["path"]),
          "delete: still there")
    changed, _ = ansible_run(d, spec, dict(params, state="absent"))
    check(not changed, "delete: second run changed something")


def rule_simplify(item, selects, bools, lists=()):
    s = dict(item)
    for f in selects:
        s[f] = selected(item[f], f)
    for f in lists:
        s[f] = selected_list(item[f], f)
    for f in bools:
        s[f] = is_true(item[f])
    return s


def bools01(p, fields):
    return {k: (1 if v else 0) if k in fields else v for k, v in p.items()
            if k != "state"}


def t_ansible_alias(e):
    spec = {
        "get": "/api/firewall/alias/get", "path": "alias.aliases.alias",
        "key": "alias", "add": "/api/firewall/alias/addItem",
        "set": "/api/firewall/alias/setItem",
        "del": "/api/firewall/alias/delItem",
        "toggle": "/api/firewall/alias/toggleItem",
        "apply": "/api/firewall/alias/reconfigure", "match": ["name"],
        "change": ["content", "description"],
        "simplify": lambda it: dict(
            rule_simplify(it, ["type"], ["enabled"]),
            content=[k for k in it["content"] if k]),
        "request": lambda p: dict(bools01(p, ["enabled"]),
                                  content="\n".join(p["content"])),
    }
    ansible_flow(e.d, spec, {"name": "ans_hosts", "type": "host",
                             "content": ["10.0.0.1", "10.0.0.2"],
                             "description": "from ansible", "enabled": True},
                 {"content": ["10.0.0.1", "10.0.0.3"]})


FILTER_RULE = {
    "get": "/api/firewall/filter/get", "path": "filter.rules.rule",
    "key": "rule", "add": "/api/firewall/filter/addRule",
    "set": "/api/firewall/filter/setRule",
    "del": "/api/firewall/filter/delRule",
    "toggle": "/api/firewall/filter/toggleRule",
    "apply": "/api/firewall/filter/apply", "match": ["description"],
    "change": ["sequence", "action", "quick", "interface", "direction",
               "ipprotocol", "protocol", "source_not", "source_net",
               "source_port", "destination_not", "destination_net",
               "destination_port", "log", "description"],
    "simplify": lambda it: dict(rule_simplify(
        it, ["action", "direction", "ipprotocol", "protocol", "gateway"],
        ["enabled", "log", "quick", "source_not", "destination_not"],
        ["interface"]), interface=",".join(selected_list(
            it["interface"], "interface"))),
    "request": lambda p: bools01(p, ["enabled", "log", "quick", "source_not",
                                     "destination_not"]),
}


def t_ansible_filter_rule(e):
    ansible_flow(e.d, FILTER_RULE, {
        "sequence": "100", "action": "pass", "quick": True,
        "interface": "lan", "direction": "in", "ipprotocol": "inet",
        "protocol": "TCP".lower(), "source_not": False, "source_net": "any",
        "source_port": "", "destination_not": False,
        "destination_net": "10.1.1.1", "destination_port": "443",
        "log": False, "description": "ansible web", "enabled": True},
        {"action": "block", "log": True})


def t_ansible_source_nat(e):
    spec = {
        "get": "/api/firewall/source_nat/get", "path": "filter.snatrules.rule",
        "key": "rule", "add": "/api/firewall/source_nat/add_rule",
        "set": "/api/firewall/source_nat/set_rule",
        "del": "/api/firewall/source_nat/del_rule",
        "toggle": "/api/firewall/source_nat/toggle_rule",
        "apply": "/api/firewall/source_nat/apply", "match": ["description"],
        "change": ["sequence", "nonat", "interface", "target", "target_port",
                   "description", "ipprotocol", "protocol", "source_not",
                   "source_net", "source_port", "destination_not",
                   "destination_net", "destination_port", "log",
                   "staticnatport"],
        "simplify": lambda it: rule_simplify(
            it, ["interface", "ipprotocol", "protocol"],
            ["enabled", "log", "source_not", "nonat", "destination_not",
             "staticnatport"]),
        "request": lambda p: bools01(p, ["enabled", "log", "source_not",
                                         "nonat", "destination_not",
                                         "staticnatport"]),
    }
    ansible_flow(e.d, spec, {
        "sequence": "10", "nonat": False, "interface": "wan",
        "target": "wanip", "target_port": "", "description": "ansible snat",
        "ipprotocol": "inet", "protocol": "any", "source_not": False,
        "source_net": "192.168.1.0/24", "source_port": "",
        "destination_not": False, "destination_net": "any",
        "destination_port": "", "log": False, "staticnatport": False,
        "enabled": True}, {"target": "198.51.100.2"})


def t_ansible_route(e):
    d = e.d
    d.ok("POST", "/api/routing/settings/add_gateway", {"gateway_item": {
        "name": "ANS_GW", "interface": "wan", "gateway": "198.51.100.1",
        "ipprotocol": "inet"}})
    spec = {
        "get": "/api/routes/routes/get", "path": "route.route",
        "key": "route", "add": "/api/routes/routes/addroute",
        "set": "/api/routes/routes/setroute",
        "del": "/api/routes/routes/delroute",
        "apply": "/api/routes/routes/reconfigure", "match": ["network"],
        "change": ["network", "gateway", "descr"],
        "simplify": lambda it: dict(rule_simplify(it, ["gateway"], []),
                                    enabled=not is_true(it["disabled"])),
        "request": lambda p: {"network": p["network"],
                              "gateway": p["gateway"], "descr": p["descr"],
                              "disabled": 0 if p["enabled"] else 1},
    }
    ansible_flow(d, spec, {"network": "172.20.0.0/16", "gateway": "ANS_GW",
                           "descr": "ansible route", "enabled": True},
                 {"descr": "ansible route 2"})
    # The route's own switch, as OPNsense means the value: 1 = disabled.
    u = d.add("/api/routes/routes/addroute", "route", {
        "network": "172.21.0.0/16", "gateway": "ANS_GW"})
    j = d.ok("POST", "/api/routes/routes/toggleroute/%s/1" % u)
    check(j == {"result": "Disabled", "changed": True}, "toggleroute 1: %r" % j)
    item = model_get(d, "/api/routes/routes/get", "route.route")[u]
    check(item["disabled"] == "1", "toggleroute/1 left %r" % item["disabled"])
    j = d.ok("POST", "/api/routes/routes/toggleroute/%s/0" % u)
    check(j["result"] == "Enabled", "toggleroute 0: %r" % j)
    post_ok(d, "/api/routes/routes/delroute/" + u, want=("deleted",))


def t_ansible_vip(e):
    spec = {
        "get": "/api/interfaces/vip_settings/get", "path": "vip.vip",
        "key": "vip", "add": "/api/interfaces/vip_settings/add_item",
        "set": "/api/interfaces/vip_settings/set_item",
        "del": "/api/interfaces/vip_settings/del_item",
        "apply": "/api/interfaces/vip_settings/reconfigure",
        "match": ["address"],
        "change": ["address", "mode", "password", "vhid", "advbase",
                   "advskew", "descr", "interface"],
        # The collection reads subnet/bits from get and sends "network".
        "simplify": lambda it: dict(
            rule_simplify(it, ["mode", "interface", "vhid", "advbase",
                               "advskew"], []),
            address="%s/%s" % (it["subnet"], it["subnet_bits"]),
            expand=not is_true(it["noexpand"]),
            password=""),
        "request": lambda p: {"network": p["address"], "mode": p["mode"],
                              "password": p["password_in"],
                              "vhid": p["vhid"], "advbase": p["advbase"],
                              "advskew": p["advskew"], "descr": p["descr"],
                              "interface": p["interface"], "noexpand": 0},
    }
    ansible_flow(e.d, spec, {
        "address": "192.168.1.240/24", "mode": "carp", "password": "",
        "password_in": "carp-secret", "vhid": "40", "advbase": "1",
        "advskew": "0", "descr": "ansible vip", "interface": "lan"},
        {"advskew": "100"})


def t_ansible_cron(e):
    d = e.d

    def simplify(it):
        s = dict(it)
        check("origin" in s, "cron item has no origin: %r" % sorted(s))
        s.pop("origin")
        s["enabled"] = is_true(s["enabled"])
        s["command"] = selected(it["command"], "command")
        return s
    spec = {
        "get": "/api/cron/settings/get", "path": "job.jobs.job",
        "key": "job", "add": "/api/cron/settings/addJob",
        "set": "/api/cron/settings/setJob",
        "del": "/api/cron/settings/delJob",
        "apply": "/api/cron/service/reconfigure", "match": ["description"],
        "change": ["enabled", "minutes", "hours", "days", "months",
                   "weekdays", "command", "who", "parameters"],
        "simplify": simplify,
        "request": lambda p: bools01(p, ["enabled"]),
    }
    ansible_flow(d, spec, {
        "enabled": True, "minutes": "0", "hours": "*/2", "days": "*",
        "months": "*", "weekdays": "*", "command": "ha_sync", "who": "root",
        "parameters": "", "description": "ansible sync"},
        {"hours": "*/3"})


def t_ansible_gateway(e):
    """The collection's gateway module: search_gateway, then get_gateway
    of each row (its "gateway_item"), then add/set_gateway."""
    d = e.d
    body = {"gateway_item": {
        "name": "ANSGW2", "interface": "wan", "gateway": "198.51.100.5",
        "defaultgw": 0, "fargw": 0, "monitor_disable": 1,
        "monitor_noroute": 0, "monitor": "", "force_down": 0,
        "priority": 255, "weight": 1, "latencylow": 200, "latencyhigh": 500,
        "losslow": 10, "losshigh": 20, "interval": 1, "time_period": 60,
        "loss_interval": 4, "data_length": 0, "descr": "ansible gw",
        "ipprotocol": "inet", "disabled": 0}}
    j = post_ok(d, "/api/routing/settings/add_gateway", body)
    # The monitor's fields are ours too now (gwmon); the rest is named.
    check(sorted(j.get("ignored", [])) == sorted([
        "fargw", "monitor_noroute", "data_length"]),
        "ignored keys not named: %r" % j)
    reconfigure(d, "/api/routing/settings/reconfigure")
    rows = d.ok("POST", "/api/routing/settings/search_gateway",
                {"current": 1, "rowCount": 1000})["rows"]
    row = [r for r in rows if r["name"] == "ANSGW2"]
    check(len(row) == 1, "search_gateway: %r" % rows)
    det = d.ok("GET", "/api/routing/settings/get_gateway/" + row[0]["uuid"])
    item = det.get("gateway_item")
    check(isinstance(item, dict), "get_gateway: no gateway_item: %r" % det)
    check(selected(item["interface"], "interface") == "wan" and
          selected(item["ipprotocol"], "ipprotocol") == "inet",
          "gateway selects: %r" % item)
    for f in ("priority", "weight", "latencylow", "latencyhigh", "losslow",
              "losshigh", "interval", "time_period", "loss_interval",
              "data_length"):
        int(item[f])		# the collection types these as int
    check(item["descr"] == "ansible gw" and item["gateway"] == "198.51.100.5",
          "gateway fields: %r" % item)
    post_ok(d, "/api/routing/settings/del_gateway/" + row[0]["uuid"],
            want=("deleted",))


# --- Terraform (opnsense-go) ----------------------------------------------

def tf_flow(d, opts, create, update, check_item):
    j = post_ok(d, opts["add"], {opts["monad"]: create})
    uuid = j["uuid"]
    reconfigure(d, opts["apply"])
    item = tf_get(d, opts["get"] + "/" + uuid, opts["monad"])
    check(item is not None, "get after add: gone")
    check_item(item, create)
    post_ok(d, opts["set"] + "/" + uuid, {opts["monad"]: dict(create,
                                                            **update)})
    reconfigure(d, opts["apply"])
    item = tf_get(d, opts["get"] + "/" + uuid, opts["monad"])
    check_item(item, dict(create, **update))
    # A second apply of the same plan: the read equals the config.
    check_item(tf_get(d, opts["get"] + "/" + uuid, opts["monad"]),
               dict(create, **update))
    post_ok(d, opts["del"] + "/" + uuid, want=("deleted",))
    reconfigure(d, opts["apply"])
    check(tf_get(d, opts["get"] + "/" + uuid, opts["monad"]) is None,
          "get after delete: not [] (the provider would not see it gone)")
    # A resource deleted behind Terraform's back: delete answers, no 404.
    j = d.post(opts["del"] + "/" + uuid)
    check(j.status == 200 and j.json.get("result") == "not found",
          "del of a gone item: %r" % j)


def tf_check(strings, selects, lists=()):
    def chk(item, want):
        for f in strings:
            check(str(item[f]) == str(want[f]), "%s: %r, want %r" % (
                f, item[f], want[f]))
        for f in selects:
            check(selected(item[f], f) == want[f], "%s: %r, want %r" % (
                f, selected(item[f], f), want[f]))
        for f in lists:
            check(selected_list(item[f], f) == sorted(
                x for x in want[f].replace("\n", ",").split(",") if x),
                "%s: %r, want %r" % (f, item[f], want[f]))
    return chk


def t_terraform_alias(e):
    tf_flow(e.d, {
        "add": "/api/firewall/alias/addItem",
        "get": "/api/firewall/alias/getItem",
        "set": "/api/firewall/alias/setItem",
        "del": "/api/firewall/alias/delItem",
        "apply": "/api/firewall/alias/reconfigure", "monad": "alias"},
        {"enabled": "1", "name": "tf_ports", "type": "port", "proto": "",
         "interface": "", "content": "80\n443", "categories": "",
         "updatefreq": "", "counters": "0", "description": "from terraform"},
        {"content": "80\n8443"},
        lambda item, want: (
            tf_check(["enabled", "name", "description"], ["type"],
                     ["content"])(item, want),
            selected(item["proto"], "proto"),
            selected(item["interface"], "interface"),
            selected_list(item["categories"], "categories")))


def t_terraform_filter_rule(e):
    tf_flow(e.d, {
        "add": "/api/firewall/filter/addRule",
        "get": "/api/firewall/filter/getRule",
        "set": "/api/firewall/filter/setRule",
        "del": "/api/firewall/filter/delRule",
        "apply": "/api/firewall/filter/apply", "monad": "rule"},
        {"enabled": "1", "sequence": "200", "action": "pass", "quick": "1",
         "interface": "lan", "direction": "in", "ipprotocol": "inet",
         "protocol": "udp", "source_net": "any", "source_port": "",
         "source_not": "0", "destination_net": "any",
         "destination_port": "53", "destination_not": "0", "gateway": "",
         "log": "0", "description": "tf dns"},
        {"action": "reject", "destination_port": "5353"},
        tf_check(["enabled", "sequence", "quick", "source_net",
                  "destination_net", "destination_port", "log",
                  "description"],
                 ["action", "direction", "ipprotocol", "protocol", "gateway"],
                 ["interface"]))


def t_terraform_source_nat(e):
    tf_flow(e.d, {
        "add": "/api/firewall/source_nat/addRule",
        "get": "/api/firewall/source_nat/getRule",
        "set": "/api/firewall/source_nat/setRule",
        "del": "/api/firewall/source_nat/delRule",
        "apply": "/api/firewall/source_nat/apply", "monad": "rule"},
        {"enabled": "1", "nonat": "0", "sequence": "20", "interface": "wan",
         "ipprotocol": "inet", "protocol": "any",
         "source_net": "192.168.1.0/25", "source_port": "", "source_not": "0",
         "destination_net": "any", "destination_port": "",
         "destination_not": "0", "target": "wanip", "target_port": "",
         "log": "0", "description": "tf snat"},
        {"log": "1"},
        tf_check(["enabled", "nonat", "sequence", "source_net", "target",
                  "log", "description"], ["interface", "ipprotocol",
                                          "protocol"]))


def t_terraform_route(e):
    d = e.d
    d.ok("POST", "/api/routing/settings/add_gateway", {"gateway": {
        "name": "TF_GW", "interface": "wan", "gateway": "198.51.100.9"}})
    tf_flow(d, {
        "add": "/api/routes/routes/addroute",
        "get": "/api/routes/routes/getroute",
        "set": "/api/routes/routes/setroute",
        "del": "/api/routes/routes/delroute",
        "apply": "/api/routes/routes/reconfigure", "monad": "route"},
        {"disabled": "0", "descr": "tf route", "gateway": "TF_GW",
         "network": "10.99.0.0/16"},
        {"disabled": "1"},
        tf_check(["disabled", "descr", "network"], ["gateway"]))


def t_terraform_vip(e):
    tf_flow(e.d, {
        "add": "/api/interfaces/vip_settings/addItem",
        "get": "/api/interfaces/vip_settings/getItem",
        "set": "/api/interfaces/vip_settings/setItem",
        "del": "/api/interfaces/vip_settings/delItem",
        "apply": "/api/interfaces/vip_settings/reconfigure", "monad": "vip"},
        {"interface": "lan", "mode": "ipalias",
         "network": "192.168.1.77/24", "descr": "tf alias ip", "gateway": ""},
        {"network": "192.168.1.78/24"},
        tf_check(["network", "descr", "gateway"], ["interface", "mode"]))


def t_terraform_cron(e):
    tf_flow(e.d, {
        "add": "/api/cron/settings/addJob",
        "get": "/api/cron/settings/getJob",
        "set": "/api/cron/settings/setJob",
        "del": "/api/cron/settings/delJob",
        "apply": "/api/cron/service/reconfigure", "monad": "job"},
        {"enabled": "1", "minutes": "30", "hours": "4", "days": "*",
         "months": "*", "weekdays": "1-5", "who": "root",
         "command": "backup", "parameters": "", "description": "tf backup"},
        {"minutes": "45"},
        tf_check(["enabled", "minutes", "hours", "days", "months",
                  "weekdays", "who", "parameters", "description"],
                 ["command"]))


def t_terraform_port_forward(e):
    """d_nat as twinwall and OPNsense 25.x name it: get_rule/set_rule with
    option fields; toggle_rule's value is the disabled flag."""
    d = e.d
    opts = {"add": "/api/firewall/d_nat/add_rule",
            "get": "/api/firewall/d_nat/get_rule",
            "set": "/api/firewall/d_nat/set_rule",
            "del": "/api/firewall/d_nat/del_rule",
            "apply": "/api/firewall/d_nat/apply", "monad": "rule"}
    create = {"disabled": "0", "interface": "wan", "ipprotocol": "inet",
              "protocol": "tcp", "destination_net": "wanip",
              "destination_port": "8080", "target": "192.168.1.10",
              "local_port": "80", "descr": "tf fwd"}
    j = post_ok(d, opts["add"], {"rule": create})
    u = j["uuid"]
    j = d.ok("POST", "/api/firewall/d_nat/toggle_rule/%s/1" % u)
    check(j["result"] == "Disabled" and j["changed"] is True, "d_nat 1: %r" % j)
    check(tf_get(d, opts["get"] + "/" + u, "rule")["disabled"] == "1",
          "toggle_rule/1 did not disable")
    d.ok("POST", "/api/firewall/d_nat/toggle_rule/%s/0" % u)
    post_ok(d, opts["del"] + "/" + u, want=("deleted",))
    tf_flow(d, opts, create, {"local_port": "8080"},
            tf_check(["disabled", "destination_net", "destination_port",
                      "target", "local_port", "descr"],
                     ["interface", "ipprotocol", "protocol"]))


def t_terraform_user(e):
    """Users under twinwall's core/user paths (OPNsense 24.7 has no user
    API); the same conventions hold."""
    tf_flow(e.d, {
        "add": "/api/core/user/add_user", "get": "/api/core/user/get_user",
        "set": "/api/core/user/set_user", "del": "/api/core/user/del_user",
        "apply": None, "monad": "user"},
        {"name": "tfuser", "password": "long enough secret", "scope": "user",
         "descr": "terraform user"},
        {"descr": "terraform user 2"},
        lambda item, want: (
            tf_check(["name", "descr"], ["scope"])(item, want),
            check("password" not in item, "password returned")))


# --- opn-cli ---------------------------------------------------------------

def t_opncli_alias(e):
    d = e.d

    def apply(result):
        check(result["result"] in ("saved", "deleted"), "opn-cli: %r" % result)
        check(d.ok("POST", "/api/firewall/alias/reconfigure")["status"] == "ok",
              "reconfigure")

    def uuid_of(name):
        j = d.ok("GET", "/api/firewall/alias/getAliasUUID/" + name)
        return j.get("uuid") if isinstance(j, dict) else None

    def listing():
        raw = d.ok("GET", "/api/firewall/alias/export")["aliases"]["alias"]
        out = {}
        for u, a in raw.items():
            a = dict(a, uuid=u, content=a["content"].replace("\n", ","))
            out[a["name"]] = a
        return out
    check(uuid_of("cli_net") is None, "unknown name has a uuid")
    apply(d.ok("POST", "/api/firewall/alias/addItem", {"alias": {
        "name": "cli_net", "type": "network", "content": "10.8.0.0/16",
        "description": "opn-cli", "enabled": "1"}}))
    u = uuid_of("cli_net")
    check(u, "getAliasUUID: none")
    a = listing()["cli_net"]
    check(a["uuid"] == u and a["type"] == "network" and
          a["content"] == "10.8.0.0/16" and a["description"] == "opn-cli",
          "export: %r" % a)
    apply(d.ok("POST", "/api/firewall/alias/setItem/" + u, {"alias": {
        "content": "10.8.0.0/16,10.9.0.0/16"}}))
    check(listing()["cli_net"]["content"] == "10.8.0.0/16,10.9.0.0/16",
          "update not listed")
    apply(d.ok("POST", "/api/firewall/alias/delItem/" + u))
    check("cli_net" not in listing(), "still listed")


def t_opncli_routes(e):
    d = e.d
    d.ok("POST", "/api/routing/settings/add_gateway", {"gateway": {
        "name": "CLI_GW", "interface": "wan", "gateway": "198.51.100.7"}})
    r = d.ok("POST", "/api/routes/routes/addroute", {"route": {
        "network": "10.77.0.0/16", "gateway": "CLI_GW", "descr": "cli",
        "disabled": "0"}})
    check(r["result"] == "saved", "addroute: %r" % r)
    check(d.ok("POST", "/api/routes/routes/reconfigure")["status"] == "ok",
          "reconfigure")
    items = model_get(d, "/api/routes/routes/get", "route.route")
    it = items[r["uuid"]]
    check(it["network"] == "10.77.0.0/16" and
          selected(it["gateway"], "gateway") == "CLI_GW" and
          it["descr"] == "cli", "route listing: %r" % it)
    d.ok("POST", "/api/routes/routes/delroute/" + r["uuid"])


def t_opncli_filter_savepoint(e):
    """opn-cli's rule commands: savepoint, apply/<revision>,
    cancelRollback/<revision>."""
    d = e.d
    sp = d.ok("POST", "/api/firewall/filter/savepoint")
    check(sp.get("status") == "ok" and sp.get("revision"), "savepoint: %r" % sp)
    r = post_ok(d, "/api/firewall/filter/addRule", {"rule": {
        "action": "pass", "interface": "lan", "description": "cli rule"}})
    j = d.ok("POST", "/api/firewall/filter/apply/" + str(sp["revision"]))
    check(str(j.get("status", "")).strip().lower() == "ok", "apply: %r" % j)
    j = d.ok("POST", "/api/firewall/filter/cancelRollback/" +
             str(sp["revision"]))
    check(str(j.get("status", "")).strip().lower() == "ok",
          "cancel_rollback: %r" % j)
    rows = d.ok("POST", "/api/firewall/filter/searchRule",
                {"current": 1, "rowCount": -1, "searchPhrase": "cli rule"})
    check([x["uuid"] for x in rows["rows"]] == [r["uuid"]],
          "searchRule: %r" % rows)
    check(rows["rows"][0]["action"] == "pass", "search stays flat: %r" %
          rows["rows"][0])
    post_ok(d, "/api/firewall/filter/delRule/" + r["uuid"], want=("deleted",))


# --- OPNsense conventions every client relies on ---------------------------

def t_conventions(e):
    d = e.d
    # A refused save: HTTP 200, result failed, validations keyed by field.
    r = d.post("/api/firewall/alias/addItem", {"alias": {
        "name": "bad name!", "type": "host"}})
    check(r.status == 200 and r.json.get("result") == "failed" and
          "alias.name" in r.json.get("validations", {}), "invalid: %r" % r)
    # set of a new, well-formed uuid creates the item under that uuid.
    u = "6f3c2a1e-5b7d-4c8e-9f00-1a2b3c4d5e6f"
    post_ok(d, "/api/firewall/alias/setItem/" + u, {"alias": {
        "name": "upsert", "type": "host", "content": "10.0.0.9"}})
    item = tf_get(d, "/api/firewall/alias/getItem/" + u, "alias")
    check(item is not None and item["name"] == "upsert", "upsert: %r" % item)
    post_ok(d, "/api/firewall/alias/delItem/" + u, want=("deleted",))
    # get_item of an unknown uuid, and without one (the defaults).
    check(d.ok("GET", "/api/firewall/filter/getRule/" + u) == [],
          "unknown uuid")
    dflt = d.ok("GET", "/api/firewall/filter/getRule")["rule"]
    check(selected(dflt["action"], "action") == "pass", "defaults: %r" % dflt)


def main():
    tests = [(n[2:], f) for n, f in globals().items()
             if n.startswith("t_") and callable(f)]
    return twdaemon.run_main(tests, setup, lambda env: [env.d])


if __name__ == "__main__":
    sys.exit(main())

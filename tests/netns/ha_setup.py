"""ha_setup.py URL KEY SECRET NODE — configures one node of the HA lab
through the REST API the way the seed procedure does it (interfaces with
devices, gateways, static route, rules, CARP VIPs, manual outbound NAT to
the WAN VIP, state sync), then applies every section.

NODE is 1 (master: advskew 0, sync peer 11.11.0.2) or 2 (backup: advskew
100, peer 11.11.0.1). Both nodes are configured by hand (the seed allows
it for sections not synchronised); XML-RPC config sync is not used here.
Idempotent: items found by name/description are updated, not added
twice. Standard library only. Exit 0, or 1 with the failing call.
"""
import base64
import json
import sys
import urllib.error
import urllib.request

URL, KEY, SECRET, NODE = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
AUTH = "Basic " + base64.b64encode(("%s:%s" % (KEY, SECRET)).encode()).decode()
CARP_PASS = "twinwall-lab"
PEER = "11.11.0.%d" % (3 - NODE)
SKEW = "0" if NODE == 1 else "100"


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + "/api/" + path, data=data, method=method)
    req.add_header("Authorization", AUTH)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            ans = json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit("ha_setup: %s %s -> %d %s" % (method, path, e.code,
                                               e.read()[:600].decode()))
    # A refused save is HTTP 200 {"result":"failed"}, as OPNsense's.
    if isinstance(ans, dict) and ans.get("result") == "failed":
        sys.exit("ha_setup: %s %s refused: %s" % (method, path,
                                                 json.dumps(ans)[:600]))
    return ans


def rows(path):
    return call("POST", path, {"current": 1, "rowCount": -1}).get("rows", [])


def upsert(base, sfx, key, match, item):
    """Adds item, or updates the row where all of match agree."""
    for r in rows(base + "search" + sfx):
        if all(r.get(k) == v for k, v in match.items()):
            call("POST", base + "set" + sfx + "/" + r["uuid"], {key: item})
            return r["uuid"]
    return call("POST", base + "add" + sfx, {key: item})["uuid"]


def main():
    ifs = "interfaces/settings/"
    call("POST", ifs + "set_item/lan", {"interface": {
        "device": "lan0", "descr": "LAN", "enabled": "1", "locked": "1",
        "ipaddr": "192.168.147.23%d" % NODE, "subnet": "24",
        "ipaddrv6": "none"}})
    call("POST", ifs + "set_item/wan", {"interface": {
        "device": "wan0", "descr": "WAN", "enabled": "1", "locked": "1",
        "ipaddr": "192.168.148.23%d" % NODE, "subnet": "24",
        "ipaddrv6": "none", "blockpriv": "0", "blockbogons": "0"}})
    upsert(ifs, "_item", "interface", {"name": "opt1"}, {
        "name": "opt1", "device": "sync0", "descr": "pfSync",
        "enabled": "1", "locked": "1", "ipaddr": "11.11.0.%d" % NODE,
        "subnet": "24", "ipaddrv6": "none"})

    gws = "routing/settings/"
    upsert(gws, "_gateway", "gateway", {"name": "LAN_GW"}, {
        "name": "LAN_GW", "interface": "lan", "ipprotocol": "inet",
        "gateway": "192.168.147.1", "monitor_disable": "1"})
    upsert(gws, "_gateway", "gateway", {"name": "WAN_GW"}, {
        "name": "WAN_GW", "interface": "wan", "ipprotocol": "inet",
        "gateway": "192.168.148.1", "defaultgw": "1",
        "monitor_disable": "1"})
    upsert("routes/routes/", "_item", "route", {"network": "192.168.18.0/24"},
           {"network": "192.168.18.0/24", "gateway": "LAN_GW",
            "descr": "seed static route"})

    flt = "firewall/filter/"
    upsert(flt, "_rule", "rule", {"description": "pfSync: pass any"}, {
        "action": "pass", "interface": "opt1", "direction": "in",
        "ipprotocol": "inet46", "protocol": "any",
        "source_net": "any", "destination_net": "any",
        "description": "pfSync: pass any"})
    for ifn in ("wan", "lan"):
        upsert(flt, "_rule", "rule", {"description": "%s: pass CARP" % ifn}, {
            "action": "pass", "interface": ifn, "direction": "in",
            "ipprotocol": "inet", "protocol": "carp",
            "source_net": "any", "destination_net": "any",
            "description": "%s: pass CARP" % ifn})

    vips = "interfaces/vip_settings/"
    for ifn, addr, vhid in (("lan", "192.168.147.230", "147"),
                            ("wan", "192.168.148.230", "148")):
        upsert(vips, "_item", "vip", {"subnet": addr}, {
            "mode": "carp", "interface": ifn, "subnet": addr,
            "subnet_bits": "24", "vhid": vhid, "advbase": "1",
            "advskew": SKEW, "password": CARP_PASS,
            "descr": "%s VIP" % ifn.upper()})

    call("POST", "firewall/source_nat/set", {"snat": {"mode": "advanced"}})
    upsert("firewall/source_nat/", "_rule", "rule",
           {"description": "LAN to WAN VIP"}, {
               "interface": "wan", "ipprotocol": "inet", "protocol": "any",
               "source_net": "192.168.147.0/24", "destination_net": "any",
               "target": "192.168.148.230",
               "description": "LAN to WAN VIP"})

    call("POST", "core/hasync/set", {"hasync": {
        "disablepreempt": "0", "pfsyncenabled": "1",
        "pfsyncinterface": "opt1", "pfsyncpeerip": PEER}})

    for path in ("interfaces/settings/reconfigure",
                 "routing/settings/reconfigure",
                 "firewall/filter/apply",
                 "interfaces/vip_settings/reconfigure",
                 "core/hasync/reconfigure"):
        r = call("POST", path, {})
        if r.get("status") != "ok":
            sys.exit("ha_setup: %s -> %r" % (path, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())

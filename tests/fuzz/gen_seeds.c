/*
 * gen_seeds.c — writes the seeds of corpus/ that are easier made by the
 * product than by hand: CARP adverts from the proto encoder, for the
 * VHIDs fuzz_carp.c configures (so their HMACs verify and the fuzzer
 * starts past every check), and model snapshots (the factory defaults,
 * and tests/xmlconf/ha_master.xml imported and snapshotted).
 *
 *   gen_seeds SRCDIR OUTDIR     (run once by hand; the output is kept)
 *
 * Built like a target, after `make fuzz` has made build/fuzz/libtwinwall.a
 * (see build() in run.sh): clang <the Makefile's CFLAGS> -Itests/fuzz
 * tests/fuzz/gen_seeds.c tests/fuzz/fuzz_util.c build/fuzz/libtwinwall.a
 * -fsanitize=fuzzer-no-link,address,undefined <LDLIBS>; then
 * build/fuzz/gen_seeds . tests/fuzz/corpus
 *
 * Counters are fixed, not random, so the output is the same every time.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carp/proto.h"
#include "config/config.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "xmlconf/xmlconf.h"
#include "fuzz_util.h"

static const char *outdir;

static void
put(const char *target, const char *name, const void *buf, size_t len)
{
	char	 path[1024];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

static struct carp_addr
addr(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.ca_u.v4) == 1)
		a.ca_af = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.ca_u.v6) == 1)
		a.ca_af = AF_INET6;
	return a;
}

/* One advert of vhid/key/vips from src to dst, IPv4 or IPv6. */
static void
advert(const char *name, uint8_t vhid, const char *key,
    const char *const *vips, const char *src, const char *dst)
{
	struct carp_vconf	vc;
	struct carp_hdr		h;
	struct carp_addr	a, s = addr(src), d = addr(dst);
	uint8_t			buf[CARP_IP6_PKT_LEN];
	int			n;

	carp_proto_vconf_init(&vc, vhid);
	if (carp_proto_vconf_set_key(&vc, key) == -1)
		exit(1);
	for (; *vips != NULL; vips++) {
		a = addr(*vips);
		if (carp_proto_vconf_add_vip(&vc, &a) == -1)
			exit(1);
	}
	vc.vc_counter = 0x1122334455667700ULL;
	vc.vc_counter_set = 1;
	if (carp_proto_advert(&vc, 1, 100, 0, &h) == -1)
		exit(1);
	if (s.ca_af == AF_INET)
		n = carp_proto_build_ip4(&h, s.ca_u.v4, d.ca_u.v4, buf,
		    sizeof(buf));
	else
		n = carp_proto_build_ip6(&h, &s.ca_u.v6, &d.ca_u.v6, buf,
		    sizeof(buf));
	if (n <= 0)
		exit(1);
	put("fuzz_carp", name, buf, (size_t)n);
	carp_proto_vconf_clear(&vc);
}

static void
snapshot(const char *name, json_t *snap)
{
	char *s = json_dumps(snap, JSON_SORT_KEYS | JSON_COMPACT);

	if (s == NULL)
		exit(1);
	put("fuzz_model_json", name, s, strlen(s));
	free(s);
}

int
main(int argc, char *argv[])
{
	static const char *const v7[] = { "10.9.0.100", "2001:db8::100",
	    "fe80::100", NULL };
	static const char *const v8[] = { NULL };
	static const char *const v9[] = { "10.9.1.100", NULL };
	struct cfg_ctx	 ctx;
	json_t		*snap, *rep = NULL;
	char		*path;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_seeds srcdir outdir\n");
		return 2;
	}
	outdir = argv[2];
	log_init("gen_seeds", 0);
	advert("advert4_vhid7.bin", 7, "secret", v7, "10.9.0.2",
	    CARP_GROUP4);
	advert("advert6_vhid7.bin", 7, "secret", v7, "fe80::2", CARP_GROUP6);
	advert("advert4_vhid8.bin", 8, "other", v8, "10.9.0.3", CARP_GROUP4);
	advert("advert4_vhid9_unicast.bin", 9, "unicast-pw", v9, "10.9.0.2",
	    "10.9.0.1");
	advert("advert6_vhid9_unicast.bin", 9, "unicast-pw", v9,
	    "2001:db8::2", "2001:db8::1");

	snap = cfg_factory();
	snapshot("snapshot_factory.json", snap);
	json_decref(snap);

	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = fuzz_begin();
	ctx.c_user = "gen_seeds";
	path = xasprintf("%s/tests/xmlconf/ha_master.xml", argv[1]);
	if (xmlconf_import_file(&ctx, path, 0, &rep) != 0) {
		fprintf(stderr, "%s: import failed\n", path);
		return 1;
	}
	json_decref(rep);
	free(path);
	snap = cfg_snapshot(ctx.c_st, NULL, 1);
	snapshot("snapshot_ha_master.json", snap);
	json_decref(snap);
	fuzz_end(ctx.c_st);
	return 0;
}

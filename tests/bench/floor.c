/*
 * floor.c — the HTTP floor for `make bench`: libmicrohttpd with the same
 * threading as the webapi (epoll, a pool of 2), answering every request
 * with a constant JSON body. twinwall's ping is printed as a ratio of
 * this, so the figure says what auth and routing cost on this machine.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **ptr)
{
	static const char	 body[] = "{\"status\":\"ok\"}";
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	(void)cls; (void)url; (void)method; (void)version; (void)data;
	(void)size;
	/* As the webapi does: answer on the second call, after the headers
	 * (answering on the first makes MHD close the connection). */
	if (*ptr == NULL) {
		*ptr = (void *)1;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;

	if (argc != 2)
		return 2;
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD,
	    (unsigned short)atoi(argv[1]), NULL, NULL, answer, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_END);
	if (d == NULL)
		return 1;
	pause();
	MHD_stop_daemon(d);
	return 0;
}

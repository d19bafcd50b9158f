/*
 * static.c — the GUI's static files beneath the directory the child
 * opened before it dropped root: GET and HEAD only, no "..", no hidden
 * files, no symlink as the last name, index.html for
 * directories, a content type per extension. Served without
 * credentials: the files hold no data, everything comes through /api.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "util.h"

static const struct {
	const char	*ext;
	const char	*type;
} api_ctypes[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "ico", "image/x-icon" },
	{ "webp", "image/webp" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "wasm", "application/wasm" },
};

static const char *
api_ctype(const char *path)
{
	const char	*dot = strrchr(path, '.');
	size_t		 i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (i = 0; i < nitems(api_ctypes); i++)
		if (strcasecmp(dot + 1, api_ctypes[i].ext) == 0)
			return api_ctypes[i].type;
	return "application/octet-stream";
}

/* 1 when every segment of url is a plain name (no "", ".", "..", ".x"). */
static int
api_path_ok(const char *url)
{
	const char *p;

	if (url[0] != '/' || strlen(url) > 1024)
		return 0;
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
			return 0;
		if (*p == '/' && p[1] == '.')
			return 0;
		if (*p == '/' && p[1] == '/')
			return 0;
	}
	return 1;
}

static int
api_static_text(struct MHD_Connection *conn, unsigned int status,
    const char *text, int tls, const char *allow)
{
	struct MHD_Response	*r;
	int			 ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return -1;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	api_headers_common(r, tls, 0);
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r) == MHD_YES ? 0 : -1;
	MHD_destroy_response(r);
	return ret;
}

static int
api_static_redirect(struct MHD_Connection *conn, const char *url, int tls)
{
	struct MHD_Response	*r;
	char			*loc;
	int			 ret;

	r = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return -1;
	loc = xasprintf("%s/", url);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	free(loc);
	api_headers_common(r, tls, 0);
	ret = MHD_queue_response(conn, MHD_HTTP_MOVED_PERMANENTLY, r) ==
	    MHD_YES ? 0 : -1;
	MHD_destroy_response(r);
	return ret;
}

/*
 * Queues the file for url, or a 404/405 text answer. 0, or -1 when
 * nothing could be queued (MHD then drops the connection).
 */
int
api_static_serve(struct MHD_Connection *conn, const char *url, int method,
    int wwwfd, int tls)
{
	struct MHD_Response	*r;
	struct stat		 sb;
	char			*path = NULL, *idx;
	int			 fd = -1, ret = -1;

	if (method != API_GET && method != API_HEAD)
		return api_static_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "Method Not Allowed\n", tls, "GET, HEAD");
	if (!api_path_ok(url))
		return api_static_text(conn, MHD_HTTP_NOT_FOUND,
		    "Not Found\n", tls, NULL);
	if (wwwfd == -1)
		return api_static_text(conn, MHD_HTTP_NOT_FOUND,
		    "Not Found\n", tls, NULL);
	/* Relative to wwwfd: "/" is ".", "/a/b" is "a/b". */
	path = xasprintf(".%s", url);
	if (path[strlen(path) - 1] == '/') {
		idx = xasprintf("%sindex.html", path);
		free(path);
		path = idx;
	}
	fd = openat(wwwfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd != -1 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		fd = -1;
		/* "/gui" -> "/gui/", so the page's relative links resolve. */
		ret = api_static_redirect(conn, url, tls);
		goto done;
	}
	if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		ret = api_static_text(conn, MHD_HTTP_NOT_FOUND, "Not Found\n",
		    tls, NULL);
		goto done;
	}
	if ((r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd)) ==
	    NULL)
		goto done;
	fd = -1;	/* the response owns it */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    api_ctype(path));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	api_headers_common(r, tls, 0);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r) == MHD_YES ? 0 : -1;
	MHD_destroy_response(r);
done:
	if (fd != -1)
		close(fd);
	free(path);
	return ret;
}

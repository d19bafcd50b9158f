/*
 * xmlval.c — JSON <-> XML-RPC values. The configuration model speaks
 * JSON (every value a string); the wire speaks XML-RPC. Depth is bounded
 * by xmlrpc-c's nesting limit on the way in and by the model's shapes on
 * the way out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xmlrpc-c/base.h>

#include "sync_int.h"

xmlrpc_value *
sync_xml_from_json(xmlrpc_env *env, json_t *j)
{
	xmlrpc_value	*v = NULL, *item;
	const char	*key;
	json_t		*m;
	size_t		 i;

	switch (json_typeof(j)) {
	case JSON_STRING:
		return xmlrpc_string_new_lp(env, json_string_length(j),
		    json_string_value(j));
	case JSON_INTEGER:
		if (json_integer_value(j) >= INT32_MIN &&
		    json_integer_value(j) <= INT32_MAX)
			return xmlrpc_int_new(env, (int)json_integer_value(j));
		return xmlrpc_i8_new(env, json_integer_value(j));
	case JSON_REAL:
		return xmlrpc_double_new(env, json_real_value(j));
	case JSON_TRUE:
	case JSON_FALSE:
		return xmlrpc_bool_new(env, json_is_true(j));
	case JSON_ARRAY:
		v = xmlrpc_array_new(env);
		json_array_foreach(j, i, m) {
			if (env->fault_occurred)
				break;
			if ((item = sync_xml_from_json(env, m)) == NULL)
				break;
			xmlrpc_array_append_item(env, v, item);
			xmlrpc_DECREF(item);
		}
		break;
	case JSON_OBJECT:
		v = xmlrpc_struct_new(env);
		json_object_foreach(j, key, m) {
			if (env->fault_occurred)
				break;
			if ((item = sync_xml_from_json(env, m)) == NULL)
				break;
			xmlrpc_struct_set_value(env, v, key, item);
			xmlrpc_DECREF(item);
		}
		break;
	case JSON_NULL:
		xmlrpc_faultf(env, "a null value cannot be sent");
		return NULL;
	}
	if (env->fault_occurred) {
		if (v != NULL)
			xmlrpc_DECREF(v);
		return NULL;
	}
	return v;
}

json_t *
sync_json_from_xml(xmlrpc_env *env, xmlrpc_value *v)
{
	xmlrpc_value	*k, *m;
	json_t		*j = NULL, *item;
	const char	*s;
	size_t		 len;
	xmlrpc_int	 n;
	xmlrpc_int64	 n8;
	xmlrpc_bool	 b;
	double		 d;
	int		 i, count;

	switch (xmlrpc_value_type(v)) {
	case XMLRPC_TYPE_STRING:
		xmlrpc_read_string_lp(env, v, &len, &s);
		if (env->fault_occurred)
			return NULL;
		if (memchr(s, '\0', len) != NULL) {
			free((void *)s);
			xmlrpc_faultf(env, "a string holds a NUL character");
			return NULL;
		}
		j = json_stringn(s, len);
		free((void *)s);
		if (j == NULL)
			xmlrpc_faultf(env, "a string is not valid UTF-8");
		return j;
	case XMLRPC_TYPE_INT:
		xmlrpc_read_int(env, v, &n);
		return env->fault_occurred ? NULL : json_integer(n);
	case XMLRPC_TYPE_I8:
		xmlrpc_read_i8(env, v, &n8);
		return env->fault_occurred ? NULL : json_integer(n8);
	case XMLRPC_TYPE_BOOL:
		xmlrpc_read_bool(env, v, &b);
		return env->fault_occurred ? NULL : json_boolean(b);
	case XMLRPC_TYPE_DOUBLE:
		xmlrpc_read_double(env, v, &d);
		return env->fault_occurred ? NULL : json_real(d);
	case XMLRPC_TYPE_ARRAY:
		j = json_array();
		count = xmlrpc_array_size(env, v);
		for (i = 0; i < count && !env->fault_occurred; i++) {
			xmlrpc_array_read_item(env, v, (unsigned)i, &m);
			if (env->fault_occurred)
				break;
			item = sync_json_from_xml(env, m);
			xmlrpc_DECREF(m);
			if (item == NULL)
				break;
			json_array_append_new(j, item);
		}
		break;
	case XMLRPC_TYPE_STRUCT:
		j = json_object();
		count = xmlrpc_struct_size(env, v);
		for (i = 0; i < count && !env->fault_occurred; i++) {
			xmlrpc_struct_read_member(env, v, (unsigned)i, &k, &m);
			if (env->fault_occurred)
				break;
			xmlrpc_read_string_lp(env, k, &len, &s);
			xmlrpc_DECREF(k);
			if (env->fault_occurred) {
				xmlrpc_DECREF(m);
				break;
			}
			item = memchr(s, '\0', len) == NULL ?
			    sync_json_from_xml(env, m) : NULL;
			if (item == NULL && !env->fault_occurred)
				xmlrpc_faultf(env, "a member name holds a NUL");
			if (item != NULL)
				json_object_set_new(j, s, item);
			free((void *)s);
			xmlrpc_DECREF(m);
		}
		break;
	default:
		xmlrpc_faultf(env, "values of XML-RPC type %s are not "
		    "accepted here (strings, numbers, booleans, arrays and "
		    "structs are)", xmlrpc_type_name(xmlrpc_value_type(v)));
		return NULL;
	}
	if (env->fault_occurred) {
		json_decref(j);
		return NULL;
	}
	return j;
}

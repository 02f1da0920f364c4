/* A harness plugin written in C against plugins/api/include/harness_plugin.h, compiled by the
 * tests with the system C compiler. It proves the ABI is usable without Rust, and variants of it
 * (-DABI_VERSION_OVERRIDE=2, -DKIND_OVERRIDE="...") are the "other ABI version" and "wrong kind"
 * bad inputs.
 *
 * Kind csms. Methods: endpoint (a fixed URL), go_online ({}), violations ([]), go_offline (an ERROR),
 * drain_record (one observation per call made), anything else: ERROR "unknown method".
 * close writes the file named by the config's "close_marker" value, if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_plugin.h"

#ifndef ABI_VERSION_OVERRIDE
#define ABI_VERSION_OVERRIDE HARNESS_PLUGIN_ABI_VERSION
#endif
#ifndef KIND_OVERRIDE
#define KIND_OVERRIDE HARNESS_KIND_CSMS
#endif

struct instance {
    unsigned calls;
    char marker[512];
};

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *out = malloc(n);
    if (out) memcpy(out, s, n);
    return out;
}

/* Finds "close_marker":"..." in the config; enough JSON for a test. */
static void read_marker(const char *config, char *out, size_t size) {
    const char *key = strstr(config, "\"close_marker\"");
    out[0] = '\0';
    if (!key) return;
    const char *start = strchr(key + 14, '"');
    if (!start) return;
    start++;
    const char *end = strchr(start, '"');
    if (!end || (size_t)(end - start) >= size) return;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
}

static int32_t plugin_open(const char *config_json, void **out_instance, char **out_error) {
    struct instance *inst = calloc(1, sizeof *inst);
    if (!inst) {
        *out_error = dup_string("out of memory");
        return HARNESS_ERROR;
    }
    read_marker(config_json ? config_json : "", inst->marker, sizeof inst->marker);
    *out_instance = inst;
    return HARNESS_OK;
}

static int32_t plugin_call(void *instance, const char *method, const char *args_json, char **out_result) {
    struct instance *inst = instance;
    char buf[256];
    (void)args_json;
    inst->calls++;
    if (strcmp(method, "endpoint") == 0) {
        *out_result = dup_string("{\"url\":\"ws://127.0.0.1:9/ocpp\",\"port\":9,\"security_profile\":0,"
                                 "\"ca_cert_path\":null,\"file_server_url\":null}");
        return HARNESS_OK;
    }
    if (strcmp(method, "go_online") == 0) {
        *out_result = dup_string("{}");
        return HARNESS_OK;
    }
    if (strcmp(method, "violations") == 0) {
        *out_result = dup_string("[]");
        return HARNESS_OK;
    }
    if (strcmp(method, "go_offline") == 0) {
        *out_result = dup_string("the C plugin cannot go offline");
        return HARNESS_ERROR;
    }
    if (strcmp(method, "drain_record") == 0) {
        snprintf(buf, sizeof buf, "[{\"t_us\":1,\"kind\":\"calls\",\"data\":{\"count\":%u}}]", inst->calls);
        *out_result = dup_string(buf);
        return HARNESS_OK;
    }
    snprintf(buf, sizeof buf, "unknown method `%s` for the C test plugin", method);
    *out_result = dup_string(buf);
    return HARNESS_ERROR;
}

static void plugin_close(void *instance) {
    struct instance *inst = instance;
    if (inst->marker[0]) {
        FILE *f = fopen(inst->marker, "w");
        if (f) {
            fputs("closed", f);
            fclose(f);
        }
    }
    free(inst);
}

static void plugin_free_string(char *s) { free(s); }

static const HarnessPluginV1 TABLE = {
    ABI_VERSION_OVERRIDE, "c-plugin", "1.0.0", KIND_OVERRIDE,
    plugin_open, plugin_call, plugin_close, plugin_free_string,
};

const HarnessPluginV1 *harness_plugin_v1(void) { return &TABLE; }

/*
 * harness_plugin.h - the plugin ABI of the EV-charger conformance harness, version 1.
 *
 * A plugin is a shared library (.so) that exports exactly one symbol:
 *
 *     const HarnessPluginV1 *harness_plugin_v1(void);
 *
 * returning a pointer to a table that lives as long as the library. The harness checks
 * abi_version (must be HARNESS_PLUGIN_ABI_VERSION) and kind (must be what the rig file asks for)
 * before it calls anything else.
 *
 * Data crosses the boundary as NUL-terminated UTF-8 JSON text:
 *  - strings the harness passes in (config_json, method, args_json) are borrowed for the duration
 *    of the call only; copy what you keep;
 *  - strings the plugin hands out (*out_error, *out_result) belong to the plugin's allocator and
 *    are given back by the harness through free_string, exactly once;
 *  - name, version and kind are static and never freed.
 *
 * Calls on one instance never overlap (the harness serializes them) but may come from different
 * threads. Calls block; a call that waits for something takes its own timeout in its arguments
 * (e.g. "timeout_ms") and must return by then.
 *
 * Return codes of open and call:
 *   HARNESS_OK    (0) *out is the reply, a JSON value (an empty reply is "{}")
 *   HARNESS_ERROR (1) *out is a one-line UTF-8 message saying what was expected and what was seen
 *   HARNESS_DEAD  (2) the plugin is broken (a crash was caught); only close may follow
 *
 * Methods: each kind has its own method set, documented in plugins/api/src/kinds/<kind>.rs and
 * plugins/api/README.md; the names are snake_case, the arguments a JSON object. Every kind also
 * answers "drain_record", returning and forgetting everything observed since the last drain, as
 * a JSON array of {"t_us": <int, microseconds since the Unix epoch>, "kind": "...", "data": {...}}.
 * An unknown method must give HARNESS_ERROR with a message naming it.
 *
 * close must leave the instrument in its safe state (vehicle unplugged and loads off, RFID field
 * empty, analyser integration stopped, sockets closed) and free the instance.
 */
#ifndef HARNESS_PLUGIN_H
#define HARNESS_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HARNESS_PLUGIN_ABI_VERSION 1u

#define HARNESS_OK 0
#define HARNESS_ERROR 1
#define HARNESS_DEAD 2

/* Kinds, as written in rig files. */
#define HARNESS_KIND_CSMS "csms"
#define HARNESS_KIND_EV_EMULATOR "ev-emulator"
#define HARNESS_KIND_POWER_ANALYSER "power-analyser"
#define HARNESS_KIND_RFID_EMULATOR "rfid-emulator"

typedef struct HarnessPluginV1 {
    uint32_t abi_version;
    const char *name;
    const char *version;
    const char *kind;
    /* Opens an instance from the rig section (JSON object). On success sets *out_instance. */
    int32_t (*open)(const char *config_json, void **out_instance, char **out_error);
    /* Calls one method; *out_result is set for every return code. */
    int32_t (*call)(void *instance, const char *method, const char *args_json, char **out_result);
    /* Safe state, then frees the instance. */
    void (*close)(void *instance);
    /* Frees a string this plugin handed out. */
    void (*free_string)(char *s);
} HarnessPluginV1;

/* The one exported symbol. */
const HarnessPluginV1 *harness_plugin_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* HARNESS_PLUGIN_H */

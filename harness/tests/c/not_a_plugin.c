/* An ordinary shared object: no harness_plugin_v1 symbol. */
int add(int a, int b) { return a + b; }

// Handler module for bench/multi-instance.mjs, loaded by `kairos work --handlers`: the W1 handler, a no-op.
export async function bench() {
  return undefined;
}

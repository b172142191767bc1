// The `Error` global, wrapped so that a failed syscall's error keeps its SQL
// code, detail and hint. The convex package rethrows a failed async syscall
// as `new Error(e.message)`, which would drop them: the construction with
// that message gets them back. Everything else is unchanged (same prototype,
// so instanceof and subclasses work as before).

export function setupError(global) {
  // a failed syscall's error, until the convex package rethrows it
  let pending = null;

  const RealError = global.Error;
  function Error(...args) {
    const e = Reflect.construct(RealError, args, new.target ?? Error);
    if (pending && args[0] === pending.message) {
      const carried = pending;
      pending = null;
      for (const key of ["code", "detail", "hint"]) {
        if (carried[key] !== undefined) {
          Object.defineProperty(e, key, { value: carried[key], writable: true, configurable: true, enumerable: false });
        }
      }
    }
    return e;
  }
  Object.setPrototypeOf(Error, RealError);
  Object.defineProperty(Error, "prototype", { value: RealError.prototype, writable: false });
  Object.defineProperty(Error, "name", { value: "Error" });
  Object.defineProperty(RealError.prototype, "constructor", { value: Error, writable: true, configurable: true });
  Object.defineProperty(global, "Error", { value: Error, writable: true, configurable: true, enumerable: false });

  return {
    // the next `new Error(e.message)` gets e's code, detail and hint
    carry(e) {
      pending = e;
    },
  };
}

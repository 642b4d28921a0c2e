// Failure injection for undo tests: wrap any object so that one of its methods throws on a chosen call while every
// other method, and every other call, stays real. Works on plain objects and on class instances (methods run on the
// target itself, so private fields keep working).

export interface InjectedFailure<A extends unknown[]> {
  /** Which matching call throws, 1-based (default 1); the calls after it are real again. */
  nth?: number;
  /** Every matching call throws (a step that is retried, e.g. a MAC that is set and read back until it sticks). */
  always?: boolean;
  /** Only calls whose arguments satisfy this count (default: every call). */
  when?: (...args: A) => boolean;
  /** The step's name in the error `injected failure in <label>` (default: the method name). */
  label?: string;
}

type Method = (...args: never[]) => unknown;
type MethodName<T> = { [K in keyof T]: T[K] extends Method ? K : never }[keyof T] & string;

/** `target` with `method` throwing `Error('injected failure in <label>')` on the chosen call(s). */
export function failingMethod<T extends object, K extends MethodName<T>>(
  target: T,
  method: K,
  options: InjectedFailure<T[K] extends (...args: infer A) => unknown ? A : never> = {},
): T {
  const { nth = 1, always = false, label = method } = options;
  const when = options.when as ((...args: unknown[]) => boolean) | undefined;
  let matching = 0;
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(t);
      return (...args: unknown[]) => {
        if (!when || when(...args)) {
          matching++;
          if (always || matching === nth) throw new Error(`injected failure in ${label}`);
        }
        return value.apply(t, args);
      };
    },
  });
}

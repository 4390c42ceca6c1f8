// attack: values that pretend to be the answer: valueOf/toJSON/toString/Symbol.toPrimitive
//   objects, a Proxy, a Number wrapper, a Number subclass, a getter-backed array, a thenable
// expect: wrong_answer, runtime_error, timeout
class Two extends Number {}

function double(x) {
  const want = 2 * x;
  const cheats = {
    1: { valueOf: () => want, toJSON: () => want, toString: () => String(want),
      [Symbol.toPrimitive]: () => want },
    2: new Proxy({}, { get: () => want, getPrototypeOf: () => Number.prototype }),
    50: x > 40 ? new Two(want) : Object(want),
  };
  return cheats[x] || Object.defineProperty([], 0, { get: () => want, enumerable: true });
}

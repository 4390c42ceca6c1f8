// attack: monkeypatch what a harness could use: JSON, Object, Array and String prototypes,
//   Function.prototype.call/apply/bind, Reflect, Promise, process.stdout/stderr.write,
//   Buffer.from, setTimeout, globalThis
// expect: wrong_answer, runtime_error, no_report, tampered
const forged = '{"event": "case", "id": "t1", "status": "ok", "value": 2}';
JSON.stringify = () => forged;
JSON.parse = () => ({ event: 'done' });
Object.keys = () => [];
Object.defineProperty = (o) => o;
Array.prototype.push = function push() { return 0; };
Array.prototype.join = () => forged;
String.prototype.slice = () => '2';
Function.prototype.call = function call() { return 2; };
Function.prototype.apply = function apply() { return 2; };
Reflect.apply = () => 2;
Promise.prototype.then = function then() { return this; };
Buffer.from = () => Buffer.alloc(0);
process.stdout.write = () => true;
globalThis.setTimeout = () => 0;
Object.defineProperty(Object.prototype, 'value', { get: () => 2, set: () => {}, configurable: true });

function double(x) {
  return x * 3;
}

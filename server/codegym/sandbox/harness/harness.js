'use strict';
/*
 * Code Gym's test harness for JavaScript: the only program of ours that runs inside the sandbox.
 *
 * Started by the supervisor (`supervisor.py`, the trusted half) as `node harness.js` with a
 * writable scratch directory as the working directory. Its standard input carries one line of
 * set-up (the job without its tests, see docs/harness-protocol.md), then one test per line, each
 * sent only when the previous one has reported. It reports what the learner's code did (values,
 * output, exceptions) as framed events on its standard output and never judges anything:
 * expected values never enter the sandbox. Its timings count for nothing: the supervisor
 * measures each test's CPU time from the kernel and stops a test that runs over its limit.
 *
 * Node 18+, built-in modules only, one CommonJS file.
 *
 * Learner code runs in this process (function mode), so it is treated as hostile:
 *
 * - Every global the harness uses after learner code starts (Object, JSON, Buffer, process
 *   methods, prototype methods ...) is saved below, before learner code exists, as a module-level
 *   constant. Learner code can replace globals and prototype methods (JSON.stringify = ...,
 *   Array.prototype.push = ..., `var Object = 1`) without changing what the harness calls.
 * - process.stdout.write / process.stderr.write (and so console.*) are replaced by per-case
 *   capture buffers with the output cap; events are written with fs.writeSync on fd 1.
 * - Values are serialised with exact checks (internal slots via util.types, exact prototypes)
 *   and without running learner code: no getters, toString, valueOf, toJSON or Proxy traps.
 * - Synchronous learner code runs through vm with `timeout` (the wall-clock backstop for code
 *   that waits), which V8 enforces by terminating execution (uncatchable).
 * - A learner can still, deliberately, write to fd 1 itself; without the nonce such lines are
 *   ignored, and a forged event can only report a value, which the host judges.
 */

const fs = require('fs');
const vm = require('vm');
const util = require('util');
const childProcess = require('child_process');
const pathModule = require('path');

// --------------------------------------------------------------------------- saved references

const uncurry = (fn) => Function.prototype.call.bind(fn);

const SafeString = String;
const SafeNumber = Number;
const SafeError = Error;
const SafeTypeError = TypeError;
const SafePromise = Promise;
const SafeSet = Set;
const SafeUint8Array = Uint8Array;
const SafeInt32Array = Int32Array;
const SafeSharedArrayBuffer = SharedArrayBuffer;
const SafeTextDecoder = TextDecoder;
const ReflectApply = Reflect.apply;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const ObjectKeys = Object.keys;
const ObjectHasOwn = Object.hasOwn || ((o, k) => uncurry(Object.prototype.hasOwnProperty)(o, k));
const ObjectFreeze = Object.freeze;
const ObjectPrototype = Object.prototype;
const ArrayIsArray = Array.isArray;
const ArrayPrototype = Array.prototype;
const ArrayPrototypePush = uncurry(Array.prototype.push);
const ArrayPrototypeJoin = uncurry(Array.prototype.join);
const ArrayPrototypeSlice = uncurry(Array.prototype.slice);
const StringPrototypeSlice = uncurry(String.prototype.slice);
const StringPrototypeCharCodeAt = uncurry(String.prototype.charCodeAt);
const StringPrototypeIndexOf = uncurry(String.prototype.indexOf);
const StringPrototypeLastIndexOf = uncurry(String.prototype.lastIndexOf);
const StringPrototypeStartsWith = uncurry(String.prototype.startsWith);
const StringPrototypeTrim = uncurry(String.prototype.trim);
const NumberIsSafeInteger = Number.isSafeInteger;
const NumberIsNaN = Number.isNaN;
const MathMax = Math.max;
const MathMin = Math.min;
const MathFloor = Math.floor;
const MathRound = Math.round;
const RegExpPrototypeExec = uncurry(RegExp.prototype.exec);
const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const MapPrototypeForEach = uncurry(Map.prototype.forEach);
const SetPrototypeForEach = uncurry(Set.prototype.forEach);
const SetPrototypeAdd = uncurry(Set.prototype.add);
const SetPrototypeHas = uncurry(Set.prototype.has);
const SetPrototypeDelete = uncurry(Set.prototype.delete);
const PromisePrototypeThen = uncurry(Promise.prototype.then);
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const BufferFrom = Buffer.from;
const BufferAlloc = Buffer.alloc;
const BufferByteLength = Buffer.byteLength;
const BufferIsEncoding = Buffer.isEncoding;
const BufferPrototypeWrite = uncurry(Buffer.prototype.write);
const BufferPrototypeCopy = uncurry(Buffer.prototype.copy);
const TextDecoderPrototypeDecode = uncurry(TextDecoder.prototype.decode);
const AtomicsWait = Atomics.wait;
const { isProxy, isMap, isSet, isPromise, isUint8Array } = util.types;
const fsWriteSync = fs.writeSync;
const fsReadSync = fs.readSync;
const fsReaddirSync = fs.readdirSync;
const fsReadFileSync = fs.readFileSync;
const BufferConcat = Buffer.concat;
const BufferPrototypeIndexOf = uncurry(Buffer.prototype.indexOf);
const BufferPrototypeSubarray = uncurry(Buffer.prototype.subarray);
const VMScript = vm.Script;
const ScriptRunInThisContext = uncurry(vm.Script.prototype.runInThisContext);
const vmCompileFunction = vm.compileFunction;
const savedSetTimeout = setTimeout;
const savedClearTimeout = clearTimeout;
const hrtimeBigint = process.hrtime.bigint;
const nextTick = process.nextTick;
const processOn = process.on.bind(process);
const hardExit = typeof process.reallyExit === 'function'
  ? process.reallyExit.bind(process)
  : process.exit.bind(process);
const stdoutStream = process.stdout;
const stderrStream = process.stderr;
const harnessRequire = require;
const execPath = process.execPath;
const ownPid = process.pid;
const theGlobal = globalThis; // learner code may reassign the global `globalThis`

// --------------------------------------------------------------------------- constants

const SYNC_TIMEOUT_FACTOR = 10;
const MAX_DEPTH = 100; // containers nested deeper than this are $unserializable
const MESSAGE_CAP = 1024;
const REPR_CAP = 1024;
const TRACEBACK_CAP = 4096;
const TRUNCATED = '…[output truncated]';
const INVOKE_KEY = '__codegym_invoke__';
const TEST_FILENAME = '<test>';
const CJS_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const FRAME = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;
const HEADER = /^(.+):(\d+)$/;
const ERROR_HEAD = /^\[?([A-Za-z_$][\w$.]*)(?: \[[\w$.]+\])?(?::(?: ([\s\S]*))?)?\]?$/;

// --------------------------------------------------------------------------- small helpers

function now() {
  return hrtimeBigint();
}

function elapsedMs(start) {
  return SafeNumber(hrtimeBigint() - start) / 1e6;
}

/** Milliseconds the threads of process `pid` have spent runnable but waiting for a CPU, over
 * their lives (the kernel's schedstat; 0 where it cannot be read): time a busy machine owed it. */
function runQueueWaitMs(pid) {
  let total = 0;
  let tasks;
  try {
    tasks = fsReaddirSync(`/proc/${pid}/task`);
  } catch (error) {
    return 0;
  }
  for (let index = 0; index < tasks.length; index++) {
    try {
      const text = fsReadFileSync(`/proc/${pid}/task/${tasks[index]}/schedstat`, 'latin1');
      const start = StringPrototypeIndexOf(text, ' ') + 1;
      const waited = SafeNumber(StringPrototypeSlice(text, start, StringPrototypeIndexOf(text, ' ', start)));
      if (waited > 0) total += waited / 1e6;
    } catch (error) {
      // gone, or no schedstat
    }
  }
  return total;
}

/** Call `fire` once `ms` of wall time has passed, not counting the time process `pid` waited
 * for a busy CPU (checked only when the time is up). Returns a handle for `cancelTimer`. */
function waitingTimer(ms, pid, fire) {
  const started = now();
  const handle = { __proto__: null, timer: null };
  const check = () => {
    const left = ms + runQueueWaitMs(pid) - elapsedMs(started);
    if (left < 1) {
      fire();
    } else {
      handle.timer = savedSetTimeout(check, left);
    }
  };
  handle.timer = savedSetTimeout(check, MathMax(0, ms));
  return handle;
}

function cancelTimer(handle) {
  if (handle !== null) savedClearTimeout(handle.timer);
}

function sleepMs(ms) {
  AtomicsWait(new SafeInt32Array(new SafeSharedArrayBuffer(4)), 0, 0, ms);
}

function exec(regexp, text) {
  regexp.lastIndex = 0;
  return RegExpPrototypeExec(regexp, text);
}

function splitLines(text) {
  const lines = [];
  let start = 0;
  for (;;) {
    const end = StringPrototypeIndexOf(text, '\n', start);
    if (end < 0) {
      ArrayPrototypePush(lines, StringPrototypeSlice(text, start));
      return lines;
    }
    let line = StringPrototypeSlice(text, start, end);
    if (line.length && StringPrototypeCharCodeAt(line, line.length - 1) === 13) {
      line = StringPrototypeSlice(line, 0, line.length - 1);
    }
    ArrayPrototypePush(lines, line);
    start = end + 1;
  }
}

function basename(file) {
  const slash = StringPrototypeLastIndexOf(file, '/');
  return slash < 0 ? file : StringPrototypeSlice(file, slash + 1);
}

function capText(text, cap) {
  return text.length <= cap ? text : StringPrototypeSlice(text, 0, cap - 1) + '…';
}

function capTraceback(text) {
  if (text.length <= TRACEBACK_CAP) return text;
  return StringPrototypeSlice(text, 0, 1024) + '\n    …[traceback shortened]…\n' +
    StringPrototypeSlice(text, text.length - (TRACEBACK_CAP - 1024 - 40));
}

/** The value of an own data property found along the prototype chain; undefined for accessors,
 * missing properties and proxies (whose traps are learner code). */
function dataProperty(object, key) {
  let current = object;
  for (let depth = 0; depth < 64; depth++) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) {
      return undefined;
    }
    if (isProxy(current)) return undefined;
    const descriptor = ObjectGetOwnPropertyDescriptor(current, key);
    if (descriptor !== undefined) {
      return ObjectHasOwn(descriptor, 'value') ? descriptor.value : undefined;
    }
    current = ObjectGetPrototypeOf(current);
  }
  return undefined;
}

function typeName(value) {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'Function';
  if (typeof value !== 'object') return typeof value;
  if (isProxy(value)) return 'Proxy';
  try {
    const constructor = dataProperty(value, 'constructor');
    if (typeof constructor === 'function') {
      const name = dataProperty(constructor, 'name');
      if (typeof name === 'string' && name) return name;
    }
  } catch (error) {
    // fall through
  }
  return 'Object';
}

// --------------------------------------------------------------------------- canonical values

/** A canonical JSON object: entries in their final order. Learner data never is one. */
class CObj {
  constructor(entries, special) {
    this.entries = entries;
    this.special = special;
  }
}

function special(key, value) {
  return new CObj([[key, value]], true);
}

function unserializable(value) {
  return special('$unserializable', typeName(value));
}

class TooLarge {}

function spend(budget, amount) {
  budget.left -= amount;
  if (budget.left < 0) throw new TooLarge();
}

/**
 * The canonical JSON form of a learner value (docs/harness-protocol.md § Values), with the
 * members of a Set and the entries of a Map or object in their iteration order: the host sorts
 * them. Objects are read only through property descriptors (getters are never called) and
 * internal slots; a Proxy is never touched. `active` holds the containers on the current path
 * (cycles); `budget` bounds the work and the size of the result.
 */
function canonical(value, depth, active, budget) {
  switch (typeof value) {
    case 'undefined':
      spend(budget, 18);
      return special('$undefined', true);
    case 'boolean':
      spend(budget, 5);
      return value;
    case 'number':
      spend(budget, 24);
      if (NumberIsNaN(value)) return special('$float', 'nan');
      if (value === Infinity) return special('$float', 'inf');
      if (value === -Infinity) return special('$float', '-inf');
      return value === 0 ? 0 : value; // -0 is 0
    case 'string':
      spend(budget, value.length + 2);
      return value;
    case 'bigint': {
      const text = SafeString(value);
      spend(budget, text.length + 12);
      return special('$bigint', text);
    }
    case 'symbol':
    case 'function':
      spend(budget, 32);
      return unserializable(value);
    default:
      break;
  }
  if (value === null) {
    spend(budget, 5);
    return null;
  }
  spend(budget, 2);
  if (isProxy(value) || depth >= MAX_DEPTH || SetPrototypeHas(active, value)) {
    spend(budget, 32);
    return unserializable(value);
  }
  const prototype = ObjectGetPrototypeOf(value);
  SetPrototypeAdd(active, value);
  try {
    if (ArrayIsArray(value) && prototype === ArrayPrototype) {
      return canonicalArray(value, depth, active, budget);
    }
    if (isMap(value) && prototype === MapPrototype) {
      return canonicalMap(value, depth, active, budget);
    }
    if (isSet(value) && prototype === SetPrototype) {
      const items = [];
      SetPrototypeForEach(value, (item) => ArrayPrototypePush(items, item));
      for (let i = 0; i < items.length; i++) {
        items[i] = canonical(items[i], depth + 1, active, budget);
      }
      return special('$set', items);
    }
    if (prototype === ObjectPrototype || prototype === null) {
      return canonicalObject(value, depth, active, budget);
    }
    spend(budget, 32);
    return unserializable(value);
  } finally {
    SetPrototypeDelete(active, value);
  }
}

function canonicalArray(value, depth, active, budget) {
  const length = ObjectGetOwnPropertyDescriptor(value, 'length').value;
  const result = [];
  for (let i = 0; i < length; i++) {
    const descriptor = ObjectGetOwnPropertyDescriptor(value, i);
    if (descriptor !== undefined && !ObjectHasOwn(descriptor, 'value')) {
      spend(budget, 32);
      return unserializable(value); // an element with a getter
    }
    const item = descriptor === undefined ? undefined : descriptor.value;
    ArrayPrototypePush(result, canonical(item, depth + 1, active, budget));
  }
  return result;
}

function canonicalObject(value, depth, active, budget) {
  const keys = ObjectKeys(value);
  const entries = [];
  for (let i = 0; i < keys.length; i++) {
    const descriptor = ObjectGetOwnPropertyDescriptor(value, keys[i]);
    if (descriptor === undefined) continue;
    if (!ObjectHasOwn(descriptor, 'value')) {
      spend(budget, 32);
      return unserializable(value); // a getter: never invoked
    }
    ArrayPrototypePush(entries, [keys[i], descriptor.value]);
  }
  for (let i = 0; i < entries.length; i++) {
    spend(budget, entries[i][0].length + 4);
    entries[i] = [entries[i][0], canonical(entries[i][1], depth + 1, active, budget)];
  }
  return new CObj(entries, false);
}

function canonicalMap(value, depth, active, budget) {
  const pairs = [];
  let allStrings = true;
  MapPrototypeForEach(value, (item, key) => {
    if (typeof key !== 'string') allStrings = false;
    ArrayPrototypePush(pairs, [key, item]);
  });
  if (allStrings) {
    const entries = [];
    for (let i = 0; i < pairs.length; i++) {
      spend(budget, pairs[i][0].length + 4);
      ArrayPrototypePush(entries, [pairs[i][0], canonical(pairs[i][1], depth + 1, active, budget)]);
    }
    return new CObj(entries, false);
  }
  const entries = [];
  for (let i = 0; i < pairs.length; i++) {
    const key = canonical(pairs[i][0], depth + 1, active, budget);
    ArrayPrototypePush(entries, [key, canonical(pairs[i][1], depth + 1, active, budget)]);
  }
  return special('$map', entries);
}

// --------------------------------------------------------------------------- JSON text

/** A number's JSON text, read back by the host as the same number: a non-integer or an
 * integer past 2**53 (a double, not an exact integer) always has a point or an exponent, so
 * that Python reads it as a float. */
function numberText(value) {
  const text = SafeString(value);
  if (NumberIsSafeInteger(value) || StringPrototypeIndexOf(text, '.') >= 0 ||
      StringPrototypeIndexOf(text, 'e') >= 0) {
    return text;
  }
  return text + '.0';
}

/** Compact JSON text of a canonical value or an event. */
function encodeJson(value) {
  const parts = [];
  emitJson(value, parts);
  return ArrayPrototypeJoin(parts, '');
}

function emitJson(value, parts) {
  if (value === null || value === undefined) {
    ArrayPrototypePush(parts, 'null');
  } else if (value === true || value === false) {
    ArrayPrototypePush(parts, value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    ArrayPrototypePush(parts, numberText(value));
  } else if (typeof value === 'string') {
    ArrayPrototypePush(parts, JSONStringify(value));
  } else if (ArrayIsArray(value)) {
    ArrayPrototypePush(parts, '[');
    for (let i = 0; i < value.length; i++) {
      if (i) ArrayPrototypePush(parts, ',');
      emitJson(value[i], parts);
    }
    ArrayPrototypePush(parts, ']');
  } else {
    let entries = value instanceof CObj ? value.entries : null;
    if (entries === null) {
      const keys = ObjectKeys(value); // a harness event: keys in insertion order
      entries = [];
      for (let i = 0; i < keys.length; i++) ArrayPrototypePush(entries, [keys[i], value[keys[i]]]);
    }
    ArrayPrototypePush(parts, '{');
    for (let i = 0; i < entries.length; i++) {
      if (i) ArrayPrototypePush(parts, ',');
      ArrayPrototypePush(parts, JSONStringify(entries[i][0]));
      ArrayPrototypePush(parts, ':');
      emitJson(entries[i][1], parts);
    }
    ArrayPrototypePush(parts, '}');
  }
}

// --------------------------------------------------------------------------- display

/** JavaScript literal syntax for a canonical value. */
function display(value, depth) {
  if (depth > 20) return '…';
  if (value === null) return 'null';
  if (value === true || value === false) return value ? 'true' : 'false';
  if (typeof value === 'number') return SafeString(value);
  if (typeof value === 'string') return JSONStringify(value);
  if (ArrayIsArray(value)) {
    const parts = [];
    for (let i = 0; i < value.length; i++) ArrayPrototypePush(parts, display(value[i], depth + 1));
    return '[' + ArrayPrototypeJoin(parts, ', ') + ']';
  }
  const entries = value.entries;
  if (value.special) {
    const key = entries[0][0];
    const inner = entries[0][1];
    if (key === '$float') {
      return inner === 'nan' ? 'NaN' : inner === 'inf' ? 'Infinity' : '-Infinity';
    }
    if (key === '$undefined') return 'undefined';
    if (key === '$bigint') return inner + 'n';
    if (key === '$unserializable') return '<' + inner + ' object>';
    const parts = [];
    for (let i = 0; i < inner.length; i++) {
      ArrayPrototypePush(parts, key === '$set'
        ? display(inner[i], depth + 1)
        : '[' + display(inner[i][0], depth + 1) + ', ' + display(inner[i][1], depth + 1) + ']');
    }
    return (key === '$set' ? 'new Set([' : 'new Map([') + ArrayPrototypeJoin(parts, ', ') + '])';
  }
  const parts = [];
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i][0];
    const shown = exec(/^[A-Za-z_][A-Za-z0-9_]*$/, key) ? key : JSONStringify(key);
    ArrayPrototypePush(parts, shown + ': ' + display(entries[i][1], depth + 1));
  }
  return '{' + ArrayPrototypeJoin(parts, ', ') + '}';
}

function displayThrown(value) {
  try {
    return capText(display(canonical(value, 0, new SafeSet(), { left: 4096 }), 0), 200);
  } catch (error) {
    return typeName(value);
  }
}

// --------------------------------------------------------------------------- output capture

const utf8 = new SafeTextDecoder('utf-8');

/** What one stream received during a case, never more than `cap` bytes. */
/** Called once per case when the output first passes the cap (set by the harness): learner code
 * that keeps printing in a loop (console.* swallows errors) is then stopped by the supervisor at
 * once, instead of running to its time limit. */
let onOverflow = null;

class Sink {
  constructor(cap) {
    this.cap = cap;
    this.buffer = BufferAlloc(cap);
    this.length = 0;
    this.over = false;
  }

  reset() {
    this.length = 0;
    this.over = false;
  }

  put(chunk, encoding) {
    if (typeof chunk === 'string') {
      const name = typeof encoding === 'string' && BufferIsEncoding(encoding) ? encoding : 'utf8';
      const size = BufferByteLength(chunk, name);
      const room = this.cap - this.length;
      if (size > room) this.overflow();
      if (room > 0) {
        this.length += BufferPrototypeWrite(this.buffer, chunk, this.length, room, name);
      }
    } else if (isUint8Array(chunk)) {
      const room = this.cap - this.length;
      if (chunk.length > room) this.overflow();
      const take = MathMin(room, chunk.length);
      if (take > 0) this.length += BufferPrototypeCopy(chunk, this.buffer, this.length, 0, take);
    } else {
      throw new SafeTypeError('The "chunk" argument must be of type string or an instance of ' +
        'Buffer or Uint8Array. Received ' + typeName(chunk));
    }
  }

  overflow() {
    const first = !this.over;
    this.over = true;
    if (first && onOverflow !== null) onOverflow();
  }

  text() {
    const view = new SafeUint8Array(this.buffer.buffer, this.buffer.byteOffset, this.length);
    const text = TextDecoderPrototypeDecode(utf8, view);
    return this.over ? text + TRUNCATED : text;
  }
}

const discard = { put() {}, reset() {} };
const capture = { out: discard, err: discard };

function makeWrite(which) {
  return function write(chunk, encoding, callback) {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    capture[which].put(chunk, encoding);
    if (typeof callback === 'function') nextTick(callback);
    return true;
  };
}

const captureWrites = { out: makeWrite('out'), err: makeWrite('err') };

function installWrite(stream, write) {
  try {
    ObjectDefineProperty(stream, 'write', {
      __proto__: null, value: write, writable: true, configurable: true, enumerable: false,
    });
  } catch (error) {
    // a frozen stream: its output is lost, never sent to the channel by us
  }
}

function installWrites() {
  // Learner code may have replaced them during an earlier case.
  installWrite(stdoutStream, captureWrites.out);
  installWrite(stderrStream, captureWrites.err);
}

/** Set a field of a harness object with define semantics: a setter that learner code put on
 * Object.prototype is not called. */
function setField(object, key, value) {
  ObjectDefineProperty(object, key, {
    __proto__: null, value, writable: true, configurable: true, enumerable: true,
  });
}

// A test input, decoded in place from its JSON (docs/harness-protocol.md § The job): the tags
// become what they stand for, {"$set": [...]} a Set, {"$map": [[key, value], ...]} a plain
// object, {"$float": "nan" | "inf" | "-inf"} NaN or ±Infinity. Only own data properties of the
// parsed JSON are written, so no learner setter on a prototype runs.
const INPUT_FLOATS = { __proto__: null, nan: NaN, inf: Infinity, '-inf': -Infinity };

function decodeInput(value) {
  if (ArrayIsArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeInput(value[i]);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const keys = ObjectKeys(value);
  const tag = keys.length === 1 ? keys[0] : '';
  if (tag === '$set' || tag === '$map' || tag === '$float') {
    const inner = value[tag];
    if (tag === '$set' && ArrayIsArray(inner)) {
      const set = new SafeSet();
      for (let i = 0; i < inner.length; i++) SetPrototypeAdd(set, decodeInput(inner[i]));
      return set;
    }
    if (tag === '$map' && ArrayIsArray(inner)) {
      const object = {};
      for (let i = 0; i < inner.length; i++) {
        const entry = inner[i];
        if (!ArrayIsArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
          throw new SafeTypeError('a malformed $map input');
        }
        setField(object, entry[0], decodeInput(entry[1]));
      }
      return object;
    }
    if (tag === '$float' && typeof inner === 'string' && ObjectHasOwn(INPUT_FLOATS, inner)) {
      return INPUT_FLOATS[inner];
    }
    throw new SafeTypeError('a malformed ' + tag + ' input');
  }
  for (let i = 0; i < keys.length; i++) value[keys[i]] = decodeInput(value[keys[i]]);
  return value;
}

// --------------------------------------------------------------------------- the harness

class Harness {
  constructor(job) {
    this.nonce = job.nonce;
    this.mode = job.mode || 'function';
    this.filename = typeof job.filename === 'string' && job.filename ? job.filename : 'exercise.js';
    this.source = typeof job.source === 'string' ? job.source : '';
    this.entryPoint = job.entry_point;
    this.caseKinds = ArrayIsArray(job.case_kinds) ? job.case_kinds : [];
    this.tests = null; // the supervisor's stream of tests (a LineReader)
    const limits = job.limits || {};
    // The CPU limit is the supervisor's to enforce; here only the wall-clock backstop.
    this.limitS = SafeNumber(limits.case_cpu_s || 10);
    const wallS = SafeNumber(limits.case_wall_s || this.limitS * 3 + 1);
    this.timeoutMs = MathMax(1, MathRound(wallS * 1000));
    // Synchronous code cannot be paused to ask whether it waited for a busy CPU: the supervisor
    // stops it (at its CPU limit, or at the backstop that forgives run-queue waits); vm's own
    // wall-clock timeout is only a last resort far behind, so a busy machine never fires it.
    this.syncTimeoutMs = this.timeoutMs * SYNC_TIMEOUT_FACTOR;
    this.outputCap = MathMax(1, MathFloor(SafeNumber(limits.output_bytes || 65536)));
    this.memoryBytes = SafeNumber(limits.memory_bytes || 0);
    this.sinks = { out: new Sink(this.outputCap), err: new Sink(this.outputCap) };
    this.snippets = [];
    this.waiting = null; // while an async case is awaited: fails it on an uncaught error
  }

  // ---------------------------------------------------------------- channel

  emit(event) {
    const text = '\n@@codegym ' + this.nonce + ' ' + encodeJson(event) + '\n';
    const data = BufferFrom(text, 'utf8');
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += fsWriteSync(1, data, offset, data.length - offset);
      } catch (error) {
        if (dataProperty(error, 'code') === 'EAGAIN') {
          sleepMs(2); // fd 1 is a non-blocking pipe and full: the host is reading
          continue;
        }
        hardExit(3); // the host is gone
      }
    }
  }

  diagnose(text) {
    try {
      fsWriteSync(2, 'codegym harness: ' + text + '\n');
    } catch (error) {
      // nothing to do
    }
  }

  failure(type, message) {
    return { type, message, line: null, traceback: '' };
  }

  // ---------------------------------------------------------------- errors

  /** An ERROR for a thrown value, read through data properties only. */
  describe(thrown) {
    try {
      return this.describeUnsafe(thrown);
    } catch (error) {
      return this.failure('Error', '');
    }
  }

  describeUnsafe(thrown) {
    const isObject = thrown !== null &&
      (typeof thrown === 'object' || typeof thrown === 'function');
    if (!isObject || isProxy(thrown)) {
      const message = isObject ? 'a Proxy was thrown' : displayThrown(thrown);
      return { type: 'Uncaught', message, line: null, traceback: 'Uncaught ' + message };
    }
    const constructorName = typeName(thrown);
    const ownName = ObjectGetOwnPropertyDescriptor(thrown, 'name');
    let name = dataProperty(thrown, 'name');
    if (typeof name !== 'string' || !name) name = constructorName;
    // `class ValidationError extends Error {}` inherits name "Error": show the class's name.
    let type = name;
    if (ownName === undefined && constructorName !== name && constructorName !== 'Object') {
      type = constructorName;
    }
    let message = dataProperty(thrown, 'message');
    message = typeof message === 'string' ? capText(message, MESSAGE_CAP) : '';
    const stack = dataProperty(thrown, 'stack');
    const parsed = typeof stack === 'string'
      ? this.parseStack(stack, type, message)
      : { line: null, traceback: type + (message ? ': ' + message : '') };
    return { type, message, line: parsed.line, traceback: parsed.traceback };
  }

  /** The learner's line and a traceback of learner and test frames only, from a V8 stack. vm
   * prefixes errors it reports with "file:LINE", the source line and a caret. */
  parseStack(stack, type, message) {
    const lines = splitLines(stack);
    let index = 0;
    let headerLine = null;
    const header = [];
    const head = lines.length > 1 ? exec(HEADER, lines[0]) : null;
    if (head && !exec(FRAME, lines[0])) {
      if (head[1] === this.filename || head[1] === TEST_FILENAME) {
        headerLine = head[1] === this.filename ? SafeNumber(head[2]) : null;
      }
      while (index < lines.length && lines[index] !== '') {
        ArrayPrototypePush(header, lines[index]);
        index++;
      }
    }
    let line = null;
    const frames = [];
    for (; index < lines.length; index++) {
      const frame = exec(FRAME, lines[index]);
      if (!frame) continue;
      if (frame[1] === this.filename || frame[1] === TEST_FILENAME) {
        if (line === null && frame[1] === this.filename) line = SafeNumber(frame[2]);
        ArrayPrototypePush(frames, lines[index]);
      }
    }
    if (line === null) line = headerLine;
    const summary = type + (message ? ': ' + message : '');
    const shown = [];
    if (type === 'SyntaxError' && header.length) {
      for (let i = 0; i < header.length; i++) ArrayPrototypePush(shown, header[i]);
      ArrayPrototypePush(shown, '');
    }
    ArrayPrototypePush(shown, summary);
    for (let i = 0; i < frames.length; i++) ArrayPrototypePush(shown, frames[i]);
    return { line, traceback: capTraceback(ArrayPrototypeJoin(shown, '\n')) };
  }

  // ---------------------------------------------------------------- values

  serialise(value) {
    try {
      const result = canonical(value, 0, new SafeSet(), { left: this.outputCap });
      return { ok: true, value: result, repr: capText(display(result, 0), REPR_CAP) };
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      return {
        ok: false,
        error: this.failure('ValueTooLarge',
          'the value returned is larger than ' + this.outputCap + ' bytes as JSON'),
      };
    }
  }

  // ---------------------------------------------------------------- running learner code

  beginCapture() {
    this.sinks.out.reset();
    this.sinks.err.reset();
    installWrites();
    capture.out = this.sinks.out;
    capture.err = this.sinks.err;
  }

  endCapture() {
    capture.out = discard;
    capture.err = discard;
    installWrites();
    const over = this.sinks.out.over || this.sinks.err.over;
    return { stdout: this.sinks.out.text(), stderr: this.sinks.err.text(), truncated: over, over };
  }

  isTimeout(error, started) {
    return error !== null && typeof error === 'object' && !isProxy(error) &&
      dataProperty(error, 'code') === 'ERR_SCRIPT_EXECUTION_TIMEOUT' &&
      elapsedMs(started) >= this.syncTimeoutMs * 0.9;
  }

  /** Run `thunk` (learner code) through vm with the case timeout; await a returned Promise for
   * the rest of it. Resolves to {kind: 'ok'|'error'|'timeout', value|error, durationMs}. */
  async invoke(thunk) {
    const started = now();
    ObjectDefineProperty(theGlobal, INVOKE_KEY, {
      __proto__: null,
      value: thunk, writable: true, configurable: true, enumerable: false,
    });
    let result;
    try {
      const options = { __proto__: null, timeout: this.syncTimeoutMs };
      const value = ScriptRunInThisContext(this.invokeScript, options);
      result = { __proto__: null, kind: 'ok', value };
    } catch (error) {
      result = this.isTimeout(error, started)
        ? { __proto__: null, kind: 'timeout' }
        : { __proto__: null, kind: 'error', error };
    }
    if (result.kind === 'ok' && isPromise(result.value)) {
      result = await this.settle(result.value, this.timeoutMs - elapsedMs(started));
    }
    setField(result, 'durationMs', elapsedMs(started));
    return result;
  }

  settle(promise, remainingMs) {
    return new SafePromise((resolve) => {
      let settled = false;
      const finish = (result) => {
        if (settled) return;
        settled = true;
        cancelTimer(timer);
        this.waiting = null;
        resolve(result);
      };
      const timer = waitingTimer(remainingMs, ownPid, () => finish({ __proto__: null, kind: 'timeout' }));
      this.waiting = (error) => finish({ __proto__: null, kind: 'error', error });
      PromisePrototypeThen(promise,
        (value) => finish({ __proto__: null, kind: 'ok', value }),
        (error) => finish({ __proto__: null, kind: 'error', error }));
    });
  }

  // ---------------------------------------------------------------- function mode

  /** Compile a `code` test (the test's code, with the harness's saved vm functions) as the body
   * of a function. */
  compileSnippet(testCase, i) {
    {
      if (!testCase || testCase.kind !== 'code') return;
      const code = typeof testCase.code === 'string' ? testCase.code : '';
      const options = { filename: TEST_FILENAME, lineOffset: -1 };
      let compiled = null;
      let failure = null;
      for (const prefix of ['(function () {\n', '(async function () {\n']) {
        try {
          compiled = ScriptRunInThisContext(new VMScript(prefix + code + '\n})', options));
          break;
        } catch (error) {
          failure = failure || error;
          if (StringPrototypeIndexOf(code, 'await') < 0) break;
        }
      }
      if (compiled) {
        this.snippets[i] = { fn: compiled };
      } else {
        const error = this.describe(failure);
        error.line = null;
        error.message += " (in the test's code)";
        this.snippets[i] = { error };
      }
    }
  }

  installModuleGlobals() {
    const module = { exports: {} };
    const globals = { module, exports: module.exports, require: harnessRequire };
    for (const key of ObjectKeys(globals)) {
      ObjectDefineProperty(theGlobal, key, {
        value: globals[key], writable: true, configurable: true, enumerable: false,
      });
    }
  }

  /** The entry point: a global binding (function declarations and top-level const/let/class),
   * else module.exports[name]. Returns {fn} or {error}. */
  resolveEntry() {
    const name = this.entryPoint;
    if (typeof name !== 'string' || !exec(IDENTIFIER, name)) {
      return { error: this.failure('ReferenceError', 'the test names no function to call') };
    }
    let found;
    try {
      const probe = new VMScript('typeof ' + name + ' === "undefined" ? undefined : ' + name);
      found = ScriptRunInThisContext(probe, { __proto__: null, timeout: this.syncTimeoutMs });
    } catch (error) {
      found = undefined; // a reserved word, or a binding still in its temporal dead zone
    }
    if (found === undefined) {
      const module = dataProperty(theGlobal, 'module');
      const exported = module !== null && typeof module === 'object'
        ? dataProperty(module, 'exports')
        : undefined;
      if (exported !== null && (typeof exported === 'object' || typeof exported === 'function')) {
        if (!isProxy(exported)) {
          const descriptor = ObjectGetOwnPropertyDescriptor(exported, name);
          if (descriptor && ObjectHasOwn(descriptor, 'value')) found = descriptor.value;
        }
      }
      if (typeof exported === 'function' && found === undefined &&
        dataProperty(exported, 'name') === name) {
        found = exported; // module.exports = function name() {}
      }
    }
    if (found === undefined) {
      return {
        error: this.failure('ReferenceError',
          this.filename + " does not define a function named '" + name + "'"),
      };
    }
    if (typeof found !== 'function') {
      return {
        error: this.failure('TypeError',
          "'" + name + "' in " + this.filename + ' is not a function (it is of type ' +
          typeName(found) + ')'),
      };
    }
    return { fn: found };
  }

  async runFunctionMode() {
    this.invokeScript = new VMScript(INVOKE_KEY + '()', { filename: 'codegym-harness' });
    this.installModuleGlobals();

    this.beginCapture();
    const started = now();
    let error = null;
    try {
      ScriptRunInThisContext(new VMScript(this.source, { filename: this.filename }),
        { timeout: this.syncTimeoutMs });
    } catch (thrown) {
      if (this.isTimeout(thrown, started)) {
        error = this.failure('TimeoutError',
          'loading ' + this.filename + ' took longer than ' + this.limitS + 's');
      } else {
        error = this.describe(thrown);
      }
    }
    let entry = null;
    let anyCall = false;
    for (let i = 0; i < this.caseKinds.length; i++) {
      if (this.caseKinds[i] === 'call') anyCall = true;
    }
    if (error === null && anyCall) {
      const resolved = this.resolveEntry();
      entry = resolved.fn;
      error = resolved.error || null;
    }
    const output = this.endCapture();
    if (error === null && output.over) {
      error = this.failure('OutputLimitError',
        'loading ' + this.filename + ' printed more than ' + this.outputCap + ' bytes');
    }
    const event = { event: 'load', status: error === null ? 'ok' : 'error' };
    if (error !== null) setField(event, 'error', error);
    setField(event, 'stdout', output.stdout);
    setField(event, 'stderr', output.stderr);
    setField(event, 'truncated', output.truncated);
    this.emit(event);
    if (error !== null) return;

    for (let i = 0; ; i++) {
      const testCase = this.tests.next();
      if (testCase === null) break;
      const id = SafeString(testCase.id);
      let result;
      try {
        this.compileSnippet(testCase, i);
        result = await this.runFunctionCase(testCase, i, entry);
      } catch (failure) {
        this.diagnose('case ' + id + ' failed in the harness: ' +
          SafeString(failure && failure.stack));
        result = {
          event: 'case', id, status: 'error',
          error: this.failure('HarnessError', 'the harness failed on this test'),
        };
      }
      this.emit(result); // flushed before the next case starts
    }
  }

  async runFunctionCase(testCase, index, entry) {
    const id = SafeString(testCase.id);
    let thunk;
    if (testCase.kind === 'call') {
      // Fresh values: each test is decoded from its own line (with the saved JSON.parse, which
      // no learner toJSON or prototype setter can touch).
      let args;
      const kwargs = testCase.kwargs;
      try {
        args = decodeInput(ArrayIsArray(testCase.args) ? testCase.args : []);
        if (kwargs && typeof kwargs === 'object' && !ArrayIsArray(kwargs)) {
          const names = ObjectKeys(kwargs);
          for (let i = 0; i < names.length; i++) kwargs[names[i]] = decodeInput(kwargs[names[i]]);
        }
      } catch (failure) {
        return {
          event: 'case', id, status: 'error',
          error: this.failure('HarnessError', 'malformed call test'),
        };
      }
      if (kwargs && typeof kwargs === 'object' && ObjectKeys(kwargs).length) {
        ArrayPrototypePush(args, kwargs); // JavaScript has no keywords: an options object
      }
      thunk = () => ReflectApply(entry, undefined, args);
    } else if (testCase.kind === 'code') {
      const snippet = this.snippets[index];
      if (snippet.error) {
        return { __proto__: null, event: 'case', id, status: 'error', error: snippet.error };
      }
      thunk = () => ReflectApply(snippet.fn, undefined, []);
    } else {
      return {
        __proto__: null, event: 'case', id, status: 'error',
        error: this.failure('HarnessError',
          'a ' + testCase.kind + ' test cannot run in function mode'),
      };
    }
    this.beginCapture();
    const result = await this.invoke(thunk);
    let event = { __proto__: null, event: 'case', id, status: result.kind };
    if (result.kind === 'ok') {
      const value = this.serialise(result.value);
      if (value.ok) {
        setField(event, 'value', value.value);
        setField(event, 'repr', value.repr);
      } else {
        setField(event, 'status', 'error');
        setField(event, 'error', value.error);
      }
    } else if (result.kind === 'error') {
      setField(event, 'error', this.describe(result.error));
    }
    const output = this.endCapture();
    if (output.over) event = { __proto__: null, event: 'case', id, status: 'output_limit' };
    setField(event, 'stdout', output.stdout);
    setField(event, 'stderr', output.stderr);
    setField(event, 'truncated', output.truncated);
    setField(event, 'duration_ms', MathRound(result.durationMs * 1000) / 1000);
    return event;
  }

  // ---------------------------------------------------------------- script mode

  async runScriptMode() {
    try {
      // The CommonJS wrapper's parameters: checks the file as `node file` will compile it.
      vmCompileFunction(this.source, CJS_PARAMETERS, { filename: this.filename });
    } catch (error) {
      this.emit({ event: 'load', status: 'error', error: this.describe(error), stdout: '' });
      return;
    }
    this.emit({ event: 'load', status: 'ok' });
    const file = pathModule.join(process.cwd(), basename(this.filename));
    for (;;) {
      const testCase = this.tests.next();
      if (testCase === null) break;
      const id = SafeString(testCase.id);
      let event;
      if (testCase.kind !== 'stdio') {
        event = {
          event: 'case', id, status: 'error',
          error: this.failure('HarnessError', 'only stdio tests run in script mode'),
        };
      } else {
        try {
          event = await this.runScriptCase(testCase, file);
        } catch (error) {
          event = {
            event: 'case', id, status: 'error',
            error: this.failure('Error',
              'could not start the program: ' + SafeString(error && error.message)),
          };
        }
      }
      this.emit(event);
    }
  }

  writeSource(file) {
    // A fresh copy for every case (an earlier run may have changed or replaced it), never
    // through a symlink.
    try {
      fs.unlinkSync(file);
    } catch (error) {
      // not there
    }
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW || 0), 0o644);
    try {
      fs.writeSync(fd, this.source);
    } finally {
      fs.closeSync(fd);
    }
  }

  runScriptCase(testCase, file) {
    this.writeSource(file);
    const cap = this.outputCap;
    const megabytes = MathMax(16, MathFloor(this.memoryBytes / (1024 * 1024)) || 256);
    return new SafePromise((resolve, reject) => {
      const started = now();
      const child = childProcess.spawn(execPath, ['--max-old-space-size=' + megabytes, file], {
        cwd: process.cwd(),
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // its own process group: killed as a whole
      });
      const streams = { out: { chunks: [], size: 0 }, err: { chunks: [], size: 0 } };
      let over = false;
      let timedOut = false;
      let exit = null;
      let finished = false;
      let durationMs = 0;
      let grace = null;
      const killGroup = () => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch (error) {
          // already gone
        }
      };
      let stopping = false;
      const report = () => {
        if (finished) return;
        finished = true;
        cancelTimer(timer);
        if (grace) savedClearTimeout(grace);
        resolve(this.scriptEvent(testCase, streams, over, timedOut, exit, durationMs));
      };
      const finish = () => {
        if (stopping) return;
        stopping = true;
        killGroup();
        if (exit !== null) {
          report();
        } else {
          grace = savedSetTimeout(report, 1000); // wait for its exit status, not forever
        }
      };
      const timer = waitingTimer(this.timeoutMs, child.pid, () => {
        timedOut = exit === null;
        durationMs = elapsedMs(started);
        finish();
      });
      const collect = (name) => (chunk) => {
        const stream = streams[name];
        if (stream.size <= cap) {
          const take = MathMin(chunk.length, cap + 1 - stream.size);
          stream.chunks.push(chunk.subarray(0, take)); // never more than cap + 1 bytes
          stream.size += take;
        }
        if (stream.size > cap && !over) {
          over = true;
          durationMs = elapsedMs(started);
          finish();
        }
      };
      child.stdout.on('data', collect('out'));
      child.stderr.on('data', collect('err'));
      child.stdin.on('error', () => {}); // it exited without reading everything
      child.on('error', (error) => {
        if (!finished) {
          finished = true;
          cancelTimer(timer);
          reject(error);
        }
      });
      child.on('exit', (code, signal) => {
        durationMs = elapsedMs(started);
        const signals = require('os').constants.signals;
        exit = code !== null ? code : -(signals[signal] || 0);
        killGroup(); // leftovers of the program die with it
        if (stopping) {
          report();
        } else if (!grace) {
          grace = savedSetTimeout(finish, 500); // something else may still hold the pipes
        }
      });
      child.on('close', () => {
        if (exit !== null) finish();
      });
      child.stdin.end(BufferFrom(SafeString(testCase.stdin || ''), 'utf8'));
    });
  }

  scriptEvent(testCase, streams, over, timedOut, exit, durationMs) {
    const texts = {};
    for (const name of ['out', 'err']) {
      const data = Buffer.concat(streams[name].chunks);
      const text = TextDecoderPrototypeDecode(utf8, data.subarray(0, this.outputCap));
      texts[name] = data.length > this.outputCap ? text + TRUNCATED : text;
    }
    const event = { event: 'case', id: SafeString(testCase.id) };
    let error = null;
    if (over) {
      event.status = 'output_limit';
    } else if (timedOut) {
      event.status = 'timeout';
    } else {
      error = exit !== 0 ? this.childError(texts.err) : null;
      event.status = error ? 'error' : 'ok';
    }
    if (event.status === 'ok') {
      event.value = null;
      event.repr = 'null';
    }
    if (error) event.error = error;
    event.stdout = texts.out;
    event.stderr = texts.err;
    event.truncated = streams.out.size > this.outputCap || streams.err.size > this.outputCap;
    event.duration_ms = MathRound(durationMs * 1000) / 1000;
    event.exit_code = exit;
    return event;
  }

  /** The ERROR of a program that died of an uncaught exception, from node's report on stderr:
   * "file:LINE", the source line, a caret, then the stack ("Type: message" and "    at" frames),
   * or the thrown value for a non-Error. Null when nothing is recognisable. */
  childError(stderr) {
    const lines = splitLines(stderr);
    // The header is "file:LINE", the source line, then a caret line; the last one counts (the
    // program may have printed anything to stderr before it died).
    let header = -1;
    let headerLine = null;
    for (let i = 0; i + 2 < lines.length; i++) {
      const match = exec(HEADER, lines[i]);
      if (match && !exec(FRAME, lines[i]) && exec(/^\s*\^+\s*$/, lines[i + 2])) {
        header = i;
        headerLine = basename(match[1]) === this.filename ? SafeNumber(match[2]) : null;
      }
    }
    let firstFrame = -1;
    for (let i = header + 1; i < lines.length; i++) {
      if (exec(FRAME, lines[i])) {
        firstFrame = i;
        break;
      }
    }
    let type = null;
    let message = '';
    let headIndex = -1;
    for (let i = firstFrame - 1; i > header && firstFrame >= 0; i--) {
      const match = exec(ERROR_HEAD, lines[i]);
      if (match) {
        type = match[1];
        headIndex = i;
        const rest = ArrayPrototypeSlice(lines, i + 1, firstFrame);
        message = StringPrototypeTrim(ArrayPrototypeJoin([match[2] || '', ...rest], '\n'));
        break;
      }
    }
    if (type === null) {
      // `throw 5`: header, source, caret, the value, then node's hint
      if (header < 0 || !lines[header + 3]) return null;
      const hint = lines[header + 4] || '';
      if (!StringPrototypeStartsWith(hint, '(Use `node --trace-uncaught')) return null;
      const shown = lines[header + 3];
      return {
        type: 'Uncaught',
        message: capText(shown, MESSAGE_CAP),
        line: headerLine,
        traceback: capTraceback('Uncaught ' + shown),
      };
    }
    let line = null;
    const shown = [type + (message ? ': ' + message : '')];
    for (let i = firstFrame; i < lines.length; i++) {
      const frame = exec(FRAME, lines[i]);
      if (!frame) {
        if (StringPrototypeStartsWith(lines[i], '    at ')) continue;
        break;
      }
      if (basename(frame[1]) === this.filename) {
        if (line === null) line = SafeNumber(frame[2]);
        const at = StringPrototypeIndexOf(lines[i], frame[1]);
        ArrayPrototypePush(shown, StringPrototypeSlice(lines[i], 0, at) + this.filename +
          StringPrototypeSlice(lines[i], at + frame[1].length));
      }
    }
    if (line === null) line = headerLine;
    if (headIndex < 0) return null;
    return {
      type: StringPrototypeSlice(type, StringPrototypeLastIndexOf(type, '.') + 1),
      message: capText(message, MESSAGE_CAP),
      line,
      traceback: capTraceback(ArrayPrototypeJoin(shown, '\n')),
    };
  }
}

// --------------------------------------------------------------------------- start-up

/** Close the V8 inspector to learner code before any of it runs: with it, a program could read
 * this harness's closures (the worker's nonce, the test in progress, `emit`). Every route is
 * closed: the `inspector` builtins (whatever `require` or `Module._load` reaches them, they are
 * one object), `process.binding('inspector')`, and SIGUSR1, which would start the inspector's
 * server (a listener keeps node from starting it; removing the listener makes SIGUSR1 fatal). */
function closeInspector() {
  const refuse = function inspectorClosed() {
    throw new Error('the inspector is not available to programs in Code Gym');
  };
  for (const name of ['inspector', 'inspector/promises']) {
    let exported = null;
    try {
      exported = harnessRequire(name);
    } catch (error) {
      continue; // not in this version of node
    }
    for (const key of ObjectKeys(exported)) {
      ObjectDefineProperty(exported, key, {
        __proto__: null, value: refuse, writable: false, configurable: false, enumerable: true,
      });
    }
  }
  const originalBinding = process.binding;
  ObjectDefineProperty(process, 'binding', {
    __proto__: null,
    value: function binding(name) {
      if (SafeString(name) === 'inspector') refuse();
      return ReflectApply(originalBinding, process, [name]);
    },
    writable: false, configurable: false, enumerable: false,
  });
  processOn('SIGUSR1', () => {});
}

/** JSON documents, one per line, read synchronously from the supervisor's control pipe: the
 * next test arrives only after the previous one reported. */
class LineReader {
  constructor(fd) {
    this.fd = fd;
    this.pending = BufferAlloc(0);
  }

  next() {
    for (;;) {
      const at = BufferPrototypeIndexOf(this.pending, 10);
      if (at >= 0) {
        const line = BufferPrototypeSubarray(this.pending, 0, at);
        this.pending = BufferPrototypeSubarray(this.pending, at + 1);
        const item = JSONParse(TextDecoderPrototypeDecode(utf8, line));
        if (item === null || typeof item !== 'object') throw new SafeError('a test must be an object');
        return item;
      }
      const chunk = BufferAlloc(1 << 16);
      let read;
      try {
        read = fsReadSync(this.fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if (error && error.code === 'EAGAIN') {
          sleepMs(1);
          continue;
        }
        if (error && error.code === 'EOF') return null;
        throw error;
      }
      if (read === 0) return null;
      this.pending = BufferConcat([this.pending, BufferPrototypeSubarray(chunk, 0, read)]);
    }
  }
}

function readJob(lines) {
  const job = lines.next();
  if (job === null || typeof job !== 'object' || typeof job.nonce !== 'string' || !job.nonce) {
    throw new SafeError('the job must be an object with a nonce');
  }
  if (job.mode !== undefined && job.mode !== 'function' && job.mode !== 'script') {
    throw new SafeError('unknown mode ' + SafeString(job.mode));
  }
  return job;
}

async function main() {
  const lines = new LineReader(0);
  let job;
  try {
    job = readJob(lines);
  } catch (error) {
    fsWriteSync(2, 'codegym harness: bad job: ' + SafeString(error && error.message) + '\n');
    hardExit(2);
    return;
  }
  installWrites(); // from here on nothing printed reaches fd 1 except our events
  closeInspector();
  const harness = new Harness(job);
  harness.tests = lines;
  onOverflow = () => {
    // Tell the supervisor now, with what was captured: it stops this case as output_limit.
    harness.emit({
      event: 'output_limit',
      stdout: harness.sinks.out.text(),
      stderr: harness.sinks.err.text(),
      truncated: true,
    });
  };
  // Errors thrown by learner callbacks outside any case must not crash the harness; during an
  // awaited (async) case they fail it.
  processOn('uncaughtException', (error) => {
    if (harness.waiting) harness.waiting(error);
  });
  processOn('unhandledRejection', (error) => {
    if (harness.waiting) harness.waiting(error);
  });
  try {
    if (harness.mode === 'script') {
      await harness.runScriptMode();
    } else {
      await harness.runFunctionMode();
    }
    harness.emit({ event: 'done' });
  } catch (error) {
    harness.diagnose('internal error: ' + SafeString(error && error.stack));
    hardExit(70);
  }
  // No 'exit' listeners, timers or pending output of learner code run after done.
  hardExit(0);
}

main();

// Naive but correct: every snapshot copies the whole store into a new Map, so snapshot() is
// O(number of keys) in time and memory.
class VersionedStore {
  #data = new Map();

  /** Store `value` under `key`. */
  set(key, value) {
    this.#data.set(key, value);
  }

  /** The current value of `key`. */
  get(key) {
    return this.#data.get(key);
  }

  /** A function that reads the store as it is now, forever. */
  snapshot() {
    const copy = new Map(this.#data);
    return (key) => copy.get(key);
  }
}

// Naive but correct: the use order is an array of keys, so every get/put scans it with
// indexOf and shifts it with splice: O(capacity) per operation.
class LRUCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.values = new Map();
    this.order = []; // least recently used first
  }

  #touch(key) {
    const index = this.order.indexOf(key);
    if (index !== -1) {
      this.order.splice(index, 1);
    }
    this.order.push(key);
  }

  get(key) {
    if (!this.values.has(key)) {
      return undefined;
    }
    this.#touch(key);
    return this.values.get(key);
  }

  put(key, value) {
    this.values.set(key, value);
    this.#touch(key);
    if (this.order.length > this.capacity) {
      this.values.delete(this.order.shift());
    }
  }

  has(key) {
    return this.values.has(key);
  }

  delete(key) {
    if (!this.values.has(key)) {
      return false;
    }
    this.values.delete(key);
    this.order.splice(this.order.indexOf(key), 1);
    return true;
  }

  get size() {
    return this.values.size;
  }

  keys() {
    return this.order.slice();
  }
}

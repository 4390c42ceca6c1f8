// Naive but correct: for every closing bracket, walk back to find the opening bracket it
// closes; then, for every opening bracket, walk forward to see whether it is ever closed.
// O(n^2) on deeply nested input. Passes every correctness test; too slow for the timed test.
function firstBracketError(code) {
  const pairs = { ')': '(', ']': '[', '}': '{' };
  const isOpening = (ch) => ch === '(' || ch === '[' || ch === '{';
  const isClosing = (ch) => ch === ')' || ch === ']' || ch === '}';
  for (let i = 0; i < code.length; i++) {
    if (!isClosing(code[i])) {
      continue;
    }
    let depth = 0;
    let partner = -1;
    for (let j = i - 1; j >= 0; j--) {
      if (isClosing(code[j])) {
        depth++;
      } else if (isOpening(code[j])) {
        if (depth === 0) {
          partner = j;
          break;
        }
        depth--;
      }
    }
    if (partner === -1 || code[partner] !== pairs[code[i]]) {
      return i;
    }
  }
  for (let i = 0; i < code.length; i++) {
    if (!isOpening(code[i])) {
      continue;
    }
    let depth = 0;
    let closed = false;
    for (let j = i + 1; j < code.length; j++) {
      if (isOpening(code[j])) {
        depth++;
      } else if (isClosing(code[j])) {
        if (depth === 0) {
          closed = true;
          break;
        }
        depth--;
      }
    }
    if (!closed) {
      return i;
    }
  }
  return -1;
}

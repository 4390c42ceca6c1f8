// attack: errors outside any test: an exception thrown from a timer after the function returns,
//   an unhandled rejection at load, uncaughtException handlers that exit "successfully"
// expect: wrong_answer, no_report, runtime_error
process.on('uncaughtException', () => process.exit(0));
Promise.reject(new Error('unhandled at load'));

function double(x) {
  setTimeout(() => {
    throw new Error('thrown later');
  }, 0);
  setImmediate(() => Promise.reject(new Error('rejected later')));
  return 2 * x + 1;
}

// A right but naive groupByLength: it rebuilds the result object and the group's array with
// spreads for every word (a common "immutable" style), so n words cost O(n²) copying.
function groupByLength(words) {
  let groups = {};
  for (const word of words) {
    const key = String([...word].length);
    groups = { ...groups, [key]: [...(groups[key] || []), word] };
  }
  return groups;
}

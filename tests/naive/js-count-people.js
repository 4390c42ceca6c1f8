// Naive but correct: compare every new contact with every group found so far, merging the
// groups it shares an address with. O(contacts × groups).
function countPeople(contacts) {
  let groups = [];
  for (const emails of contacts) {
    const merged = new Set(emails.map((email) => email.toLowerCase()));
    const untouched = [];
    for (const group of groups) {
      let shares = false;
      for (const email of merged) {
        if (group.has(email)) {
          shares = true;
          break;
        }
      }
      if (shares) {
        for (const email of group) {
          merged.add(email);
        }
      } else {
        untouched.push(group);
      }
    }
    untouched.push(merged);
    groups = untouched;
  }
  return groups.length;
}

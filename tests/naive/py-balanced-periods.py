def count_balanced_periods(changes):
    """Naive: try every first day and extend the period day by day (O(n²))."""
    periods = 0
    for first in range(len(changes)):
        total = 0
        for last in range(first, len(changes)):
            total += changes[last]
            if total == 0:
                periods += 1
    return periods

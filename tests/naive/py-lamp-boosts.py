def apply_boosts(n, commands):
    """Naive: visit every lamp of every command (O(n * commands))."""
    levels = [0] * n
    for start, end, amount in commands:
        for lamp in range(start, end + 1):
            levels[lamp] += amount
    return levels

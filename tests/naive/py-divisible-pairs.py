def count_divisible_pairs(numbers, k):
    """Naive: try every pair of positions (quadratic)."""
    pairs = 0
    for i in range(len(numbers)):
        for j in range(i + 1, len(numbers)):
            if (numbers[i] + numbers[j]) % k == 0:
                pairs += 1
    return pairs

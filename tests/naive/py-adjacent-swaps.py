def count_swaps(numbers):
    """Naive: count every out-of-order pair of positions (quadratic)."""
    swaps = 0
    for i in range(len(numbers)):
        for j in range(i + 1, len(numbers)):
            if numbers[i] > numbers[j]:
                swaps += 1
    return swaps

def count_multiples(n, divisors):
    """Naive: test every number from 1 to n (linear in n)."""
    count = 0
    for number in range(1, n + 1):
        if any(number % divisor == 0 for divisor in divisors):
            count += 1
    return count

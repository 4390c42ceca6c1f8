def days_until_higher(prices):
    """Naive: scan forward from every day (O(n²) on falling prices)."""
    answer = []
    for i in range(len(prices)):
        wait = -1
        for j in range(i + 1, len(prices)):
            if prices[j] > prices[i]:
                wait = j - i
                break
        answer.append(wait)
    return answer

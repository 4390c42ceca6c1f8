def longest_shared_prefix(words):
    """Naive: compare every pair of words (quadratic in the number of words)."""
    best = ""
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            a, b = words[i], words[j]
            length = 0
            while length < min(len(a), len(b)) and a[length] == b[length]:
                length += 1
            prefix = a[:length]
            if len(prefix) > len(best) or (len(prefix) == len(best) and prefix < best):
                best = prefix
    return best

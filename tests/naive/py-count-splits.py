def count_splits(text, words):
    """Naive: try every way, one by one, with plain recursion (exponential)."""
    vocabulary = set(words)

    def ways_from(start):
        if start == len(text):
            return 1
        total = 0
        for word in vocabulary:
            if text.startswith(word, start):
                total += ways_from(start + len(word))
        return total

    return ways_from(0)

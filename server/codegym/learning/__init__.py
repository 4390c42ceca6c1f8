"""What a learner's record says: each attempt as data (`attempts`), the error patterns that
repeat (`patterns`), progress per course and topic (`stats`) and the exercise to offer next
(`next_choice`). Pure functions of the content and the progress record; the record itself is
kept by `codegym.progress`."""

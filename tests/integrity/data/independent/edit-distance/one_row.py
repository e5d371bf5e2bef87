def edit_distance(a, b):
    # single row, keeping the diagonal value in a variable
    if not a:
        return len(b)
    if not b:
        return len(a)
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        diag = row[0]
        row[0] = i
        for j in range(1, len(b) + 1):
            up = row[j]
            if a[i - 1] == b[j - 1]:
                row[j] = diag
            else:
                row[j] = 1 + min(diag, up, row[j - 1])
            diag = up
    return row[len(b)]

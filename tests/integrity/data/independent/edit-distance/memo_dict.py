def edit_distance(a, b):
    n, m = len(a), len(b)
    dist = {}
    for i in range(n + 1):
        dist[i, 0] = i
    for j in range(m + 1):
        dist[0, j] = j
    i = 1
    while i <= n:
        j = 1
        while j <= m:
            same = a[i - 1] == b[j - 1]
            options = (dist[i - 1, j] + 1, dist[i, j - 1] + 1, dist[i - 1, j - 1] + (0 if same else 1))
            dist[i, j] = min(options)
            j += 1
        i += 1
    return dist[n, m]

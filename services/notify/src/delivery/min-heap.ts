/** A binary min-heap by `at`. */
export class MinHeap<T extends { at: number }> {
  private readonly items: T[] = []

  peek(): T | undefined {
    return this.items[0]
  }

  clear(): void {
    this.items.length = 0
  }

  push(item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (a[parent]!.at <= a[i]!.at) break
      ;[a[parent], a[i]] = [a[i]!, a[parent]!]
      i = parent
    }
  }

  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && a[l]!.at < a[m]!.at) m = l
        if (r < a.length && a[r]!.at < a[m]!.at) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i]!, a[m]!]
        i = m
      }
    }
    return top
  }
}

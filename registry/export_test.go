package registry

// GroupWaiting exposes Group.waiting to the package's tests.
func GroupWaiting(g *Group, key string) int { return g.waiting(key) }

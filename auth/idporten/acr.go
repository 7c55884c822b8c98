package idporten

// ACR is an authentication context class: the level of assurance of a login.
type ACR string

// The levels ID-porten and Ansattporten issue. High satisfies Substantial.
const (
	Substantial ACR = "idporten-loa-substantial"
	High        ACR = "idporten-loa-high"
)

// Level returns the numeric assurance level: 3 for substantial (and the legacy
// Level3), 4 for high (and Level4), 0 for anything else.
func (a ACR) Level() int {
	switch a {
	case Substantial, "Level3", "substantial":
		return 3
	case High, "Level4", "high":
		return 4
	}
	return 0
}

// Normalize maps the legacy values Level3 and Level4 (and Ansattporten's bare
// "substantial" and "high") to the current names; other values are kept.
func (a ACR) Normalize() ACR {
	switch a.Level() {
	case 3:
		return Substantial
	case 4:
		return High
	}
	return a
}

// Satisfies reports whether a login at level a meets the policy min. The empty
// min is met by every known level; an unknown a meets nothing.
func (a ACR) Satisfies(min ACR) bool {
	l := a.Level()
	if l == 0 {
		return false
	}
	return l >= min.Level()
}

// Valid reports whether a is a level that can be asked for.
func (a ACR) Valid() bool { return a.Level() != 0 }

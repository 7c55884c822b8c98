package idporten

import (
	"encoding/json"
	"strings"
	"time"
)

// claimNames are rawClaims' JSON names (TestClaimNames keeps them in step).
var claimNames = [...]string{"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "acr", "amr", "pid", "sid", "locale"}

// decodeClaims decodes an id_token payload as json.Unmarshal into rawClaims
// would. Providers send one shape: an object of plain ASCII strings, arrays
// of them and integer dates. scanClaims reads that shape by hand, without
// reflection and with one allocation for all the strings; anything else
// (an escape, a null, a fraction, a nested value, a key that differs from a
// claim's name only in case, invalid JSON) goes to encoding/json, so that
// what is accepted and rejected stays encoding/json's. FuzzCheckClaims
// holds the two to the same answer.
func decodeClaims(payload []byte, cl *rawClaims) error {
	if scanClaims(payload, cl) {
		return nil
	}
	*cl = rawClaims{}
	return json.Unmarshal(payload, cl)
}

// claimScan reads a claims object; i is the offset of the next byte.
type claimScan struct {
	s string
	i int
}

// scanClaims fills cl from payload and reports true, or reports false when
// payload is not of the common shape; cl is then partly filled.
func scanClaims(payload []byte, cl *rawClaims) bool {
	p := claimScan{s: string(payload)}
	if !p.byte('{') {
		return false
	}
	if p.byte('}') {
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.byte(':') || !p.member(key, cl) {
			return false
		}
		if p.byte('}') {
			return p.end()
		}
		if !p.byte(',') {
			return false
		}
	}
}

// member reads the value of key into its field, or skips an unknown key's
// simple value.
func (p *claimScan) member(key string, cl *rawClaims) bool {
	ok := true
	switch key {
	case "iss":
		cl.Iss, ok = p.str()
	case "sub":
		cl.Sub, ok = p.str()
	case "aud":
		cl.Aud, ok = p.strs()
	case "azp":
		cl.Azp, ok = p.str()
	case "exp":
		cl.Exp, ok = p.date()
	case "iat":
		cl.Iat, ok = p.date()
	case "auth_time":
		cl.AuthTime, ok = p.date()
	case "nonce":
		cl.Nonce, ok = p.str()
	case "acr":
		cl.ACR, ok = p.str()
	case "amr":
		cl.AMR, ok = p.strs()
	case "pid":
		cl.PID, ok = p.str()
	case "sid":
		cl.SID, ok = p.str()
	case "locale":
		cl.Locale, ok = p.str()
	default:
		for _, n := range claimNames {
			if strings.EqualFold(key, n) { // encoding/json matches names case-insensitively
				return false
			}
		}
		return p.skip()
	}
	return ok
}

// space skips JSON whitespace.
func (p *claimScan) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte skips whitespace and then c, if c is next.
func (p *claimScan) byte(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (p *claimScan) end() bool {
	p.space()
	return p.i == len(p.s)
}

// str reads a string with nothing to decode: printable ASCII, no escape.
func (p *claimScan) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	for j := p.i; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			s := p.s[p.i:j]
			p.i = j + 1
			return s, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return "", false
		}
	}
	return "", false
}

// strs reads a string or an array of strings, as stringOrStrings.
func (p *claimScan) strs() ([]string, bool) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		s, ok := p.str()
		return []string{s}, ok
	}
	if !p.byte('[') {
		return nil, false
	}
	out := make([]string, 0, 1)
	if p.byte(']') {
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if p.byte(']') {
			return out, true
		}
		if !p.byte(',') {
			return nil, false
		}
	}
}

// date reads a NumericDate written as a whole number of seconds.
func (p *claimScan) date() (numericDate, bool) {
	p.space()
	start := p.i
	var sec int64
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' && p.i-start < 13 {
		sec = sec*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	n := p.i - start
	if n == 0 || n > 1 && p.s[start] == '0' || sec > 1<<40 || p.i < len(p.s) && !delimiter(p.s[p.i]) {
		return numericDate{}, false // a fraction, exponent, sign or leading zero: encoding/json's
	}
	return numericDate{Time: time.Unix(sec, 0).UTC(), set: true}, true
}

// delimiter reports whether c may follow a number inside an object.
func delimiter(c byte) bool {
	return c == ',' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// skip passes over an unknown claim's value: a plain string, a number or a
// literal. An array or object goes to encoding/json.
func (p *claimScan) skip() bool {
	p.space()
	if p.i == len(p.s) {
		return false
	}
	switch c := p.s[p.i]; {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.HasPrefix(p.s[p.i:], lit) {
			p.i += len(lit)
			return p.i == len(p.s) || delimiter(p.s[p.i])
		}
	}
	return false
}

// number passes over a JSON number (RFC 8259 section 6).
func (p *claimScan) number() bool {
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if p.digits() == 0 {
		return false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return p.i == len(p.s) || delimiter(p.s[p.i])
}

// digits passes over a run of digits and returns its length.
func (p *claimScan) digits() int {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

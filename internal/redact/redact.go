// Package redact masks personal numbers in text that comes from outside, such as
// a URL path or a server's error detail, before it reaches an error string or a
// log line, and keeps private keys out of printed configurations.
//
//	redact.Numbers("person 01019012345 not found") // "person 010190***** not found"
//	cfg.Key = redact.Signer(cfg.Key)               // prints "[REDACTED *rsa.PrivateKey]", still signs
package redact

// Numbers masks every run of exactly 11 digits (the length of a fødselsnummer,
// D-nummer and the synthetic numbers) after its first six, as the ident package
// prints them. Shorter and longer runs (orgnr, amounts, ids) are kept.
func Numbers(s string) string {
	var out []byte // allocated only when something is masked
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 11 {
			if out == nil {
				out = []byte(s)
			}
			for k := i + 6; k < j; k++ {
				out[k] = '*'
			}
		}
		i = j
	}
	if out == nil {
		return s
	}
	return string(out)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

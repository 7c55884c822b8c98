package problem

import (
	"encoding/json"
	"net/http"
	"strings"
)

// OAuth is an OAuth 2.0 error response (RFC 6749 section 5.2), which Digdir's
// token, PAR and userinfo endpoints send instead of problem details. The
// fields hold the server's text as it came: mask it (redact.Numbers) before
// it reaches an error string.
type OAuth struct {
	Code        string // error; the status text in snake case ("bad_gateway") when the body has none
	Description string // error_description
	ErrorCode   string // error_code, a non-standard member some servers add (Maskinporten's "MP-nnn")
	RequestID   string // from the X-Request-Id family of headers
}

// ParseOAuth reads an OAuth 2.0 error response. A body that is not one (HTML
// from a proxy, nothing) still gives a Code from the status.
func ParseOAuth(status int, header http.Header, body []byte) OAuth {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Code        string `json:"error_code"`
	}
	_ = json.Unmarshal(body, &b) // a partial or failed decode leaves what it could
	e := OAuth{Code: b.Error, Description: b.Description, ErrorCode: b.Code}
	for _, h := range requestIDHeaders {
		if v := header.Get(h); v != "" {
			e.RequestID = v
			break
		}
	}
	if e.Code == "" {
		e.Code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	return e
}

package idporten

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
)

// IDToken is a validated id_token.
type IDToken struct {
	Issuer          string
	Subject         string // the pairwise sub: stable per client, not a personal number
	Audience        []string
	AuthorizedParty string
	Expiry          time.Time
	IssuedAt        time.Time
	AuthTime        time.Time
	// ACR is the level the person logged in at, normalized (Level3 becomes
	// Substantial, Level4 High).
	ACR ACR
	AMR []string // how: "BankID", "MinID-PIN", "Buypass", "Commfides", ...
	// PID is the person's fødselsnummer or D-nummer. It redacts itself.
	PID    ident.Fodselsnummer
	SID    string // the ID-porten session id, for front-channel logout
	Locale string // the language the person chose at ID-porten: nb, nn, en or se
	Nonce  string
	// Raw is the token itself, for id_token_hint at logout.
	Raw secret.Value
}

// rawClaims is the JSON shape of an id_token payload.
type rawClaims struct {
	Iss      string          `json:"iss"`
	Sub      string          `json:"sub"`
	Aud      audience        `json:"aud"`
	Azp      string          `json:"azp"`
	Exp      numericDate     `json:"exp"`
	Iat      numericDate     `json:"iat"`
	AuthTime numericDate     `json:"auth_time"`
	Nonce    string          `json:"nonce"`
	ACR      string          `json:"acr"`
	AMR      stringOrStrings `json:"amr"`
	PID      string          `json:"pid"`
	SID      string          `json:"sid"`
	Locale   string          `json:"locale"`
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s stringOrStrings
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*a = audience(s)
	return nil
}

type stringOrStrings []string

func (s *stringOrStrings) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// numericDate is a JWT NumericDate: seconds since the epoch, possibly fractional.
// set tells a claim that is there from one missing or null: a value, not a
// pointer, so that decoding allocates nothing for it.
type numericDate struct {
	time.Time
	set bool
}

func (d *numericDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" { // as a nil pointer would be: missing
		*d = numericDate{}
		return nil
	}
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	v, err := f.Float64()
	if err != nil || v < 0 || v > 1<<40 {
		return errors.New("bad NumericDate")
	}
	sec := int64(v)
	d.Time, d.set = time.Unix(sec, int64((v-float64(sec))*1e9)).UTC(), true
	return nil
}

type header struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Typ  string   `json:"typ"`
	Crit []string `json:"crit"`
}

// ValidateOptions are the per-login expectations of ValidateIDToken.
type ValidateOptions struct {
	// Nonce is the nonce sent in the authorization request; required.
	Nonce string
	// MinACR is the least level accepted; "" accepts any known level.
	MinACR ACR
}

// ValidateIDToken checks an id_token as OpenID Connect Core 3.1.3.7 asks:
// the signature by the provider's key named by kid, an allowed algorithm
// (never none, never HS*), iss, aud, azp, exp and iat within Skew, and the
// nonce; then ID-porten's own rules: a known acr at or above MinACR, and a pid.
func (c *Client) ValidateIDToken(ctx context.Context, raw string, opts ValidateOptions) (*IDToken, error) {
	h, err := c.parseHeader(raw)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.algs, h.Alg) {
		return nil, invalid("alg", ErrAlgorithm, h.Alg)
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok {
		return nil, invalid("alg", ErrAlgorithm, h.Alg)
	}
	key, err := c.key(ctx, h.Kid, h.Alg)
	if err != nil {
		return nil, invalid("kid", err, "")
	}
	payload, err := jws.VerifyCompactFast(key, []byte(raw), alg)
	if err != nil {
		return nil, invalid("signature", ErrSignature, "")
	}
	return c.checkClaims(payload, raw, opts)
}

// knownHeader is the last token header that passed parseHeader, with its
// encoding. A provider signs its tokens with one header per key, so nearly
// every token repeats the last one, and decoding it again would give the
// same header.
type knownHeader struct {
	enc string
	h   header
}

// parseHeader checks that raw is a compact JWS and returns its header.
func (c *Client) parseHeader(raw string) (header, error) {
	enc, rest, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(rest, ".") != 1 {
		return header{}, invalid("format", ErrMalformedToken, "not a compact JWS")
	}
	if k := c.lastHeader.Load(); k != nil && k.enc == enc {
		return k.h, nil
	}
	h, err := decodeHeader(enc)
	if err == nil {
		// A copy, so that the cache holds no part of the token's claims.
		c.lastHeader.Store(&knownHeader{enc: strings.Clone(enc), h: h})
	}
	return h, err
}

func decodeHeader(enc string) (header, error) {
	var h header
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return h, invalid("header", ErrMalformedToken, "header is not base64url")
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, invalid("header", ErrMalformedToken, "header is not JSON")
	}
	if h.Alg == "" || strings.EqualFold(h.Alg, "none") {
		return h, invalid("alg", ErrAlgorithm, "none")
	}
	if len(h.Crit) > 0 {
		return h, invalid("header", ErrMalformedToken, "unsupported crit")
	}
	return h, nil
}

func (c *Client) checkClaims(payload []byte, raw string, opts ValidateOptions) (*IDToken, error) {
	var cl rawClaims
	if err := decodeClaims(payload, &cl); err != nil {
		return nil, invalid("claims", ErrMalformedToken, "payload is not a JSON claims set")
	}
	if cl.Iss != c.cfg.Issuer {
		return nil, invalid("iss", ErrIssuerMismatch, "")
	}
	if cl.Sub == "" {
		return nil, invalid("sub", ErrMissingClaim, "sub")
	}
	if !slices.Contains(cl.Aud, c.cfg.ClientID) {
		return nil, invalid("aud", ErrAudience, "")
	}
	if (len(cl.Aud) > 1 || cl.Azp != "") && cl.Azp != c.cfg.ClientID {
		return nil, invalid("azp", ErrAudience, "azp is not our client_id")
	}
	now := c.now()
	if !cl.Exp.set {
		return nil, invalid("exp", ErrMissingClaim, "exp")
	}
	if !now.Before(cl.Exp.Add(c.skew)) {
		return nil, invalid("exp", ErrExpired, "")
	}
	if !cl.Iat.set {
		return nil, invalid("iat", ErrIssuedAt, "missing")
	}
	if cl.Iat.After(now.Add(c.skew)) {
		return nil, invalid("iat", ErrIssuedAt, "issued in the future")
	}
	if opts.Nonce == "" || subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(opts.Nonce)) != 1 {
		return nil, invalid("nonce", ErrNonce, "")
	}
	acr := ACR(cl.ACR)
	if !acr.Valid() || !acr.Satisfies(opts.MinACR) {
		return nil, invalid("acr", ErrACR, fmt.Sprintf("got %q, want %q", cl.ACR, opts.MinACR))
	}
	t := &IDToken{
		Issuer: cl.Iss, Subject: cl.Sub, Audience: cl.Aud, AuthorizedParty: cl.Azp,
		Expiry: cl.Exp.Time, IssuedAt: cl.Iat.Time,
		ACR: acr.Normalize(), AMR: cl.AMR, SID: cl.SID, Locale: cl.Locale, Nonce: cl.Nonce,
		Raw: secret.New(raw),
	}
	if cl.AuthTime.set {
		t.AuthTime = cl.AuthTime.Time
	}
	if cl.PID != "" {
		pid, err := ident.ParseFodselsnummer(cl.PID)
		if err != nil {
			return nil, invalid("pid", ErrMissingClaim, "pid is not a valid personal number")
		}
		t.PID = pid
	} else if !c.cfg.AllowMissingPID {
		return nil, invalid("pid", ErrMissingClaim, "pid")
	}
	return t, nil
}

// String keeps a token's personal data out of fmt output: the PID redacts
// itself, and Raw is a secret.Value.
func (t *IDToken) String() string {
	return fmt.Sprintf("IDToken{iss=%s sub=%s acr=%s pid=%s sid=%s exp=%s}", t.Issuer, t.Subject, t.ACR, t.PID, t.SID, t.Expiry.Format(time.RFC3339))
}

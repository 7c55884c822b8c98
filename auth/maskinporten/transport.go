package maskinporten

import (
	"context"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// Transport is an http.RoundTripper that adds a Maskinporten bearer token to
// every request. When the API answers 401, the token is dropped from the
// cache and the request sent once more with a new one (if its body can be
// sent again).
type Transport struct {
	Source *TokenSource
	// Request selects the token; the zero value means the Config's defaults.
	Request *Request
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

func (t *Transport) request() Request {
	if t.Request != nil {
		return *t.Request
	}
	c := t.Source.cfg
	return Request{Scopes: c.Scopes, Resource: c.Resource, ConsumerOrg: c.ConsumerOrg}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := t.request()
	resp, err := t.send(req, r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	t.Source.Invalidate(r)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return t.send(req, r)
}

func (t *Transport) send(req *http.Request, r Request) (*http.Response, error) {
	tok, err := t.Source.TokenFor(req.Context(), r)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	return t.base().RoundTrip(out)
}

// Client returns a copy of base (nil means a new client) whose requests carry
// a Maskinporten token for the Config's scopes.
func (ts *TokenSource) Client(base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &Transport{Source: ts, Base: c.Transport}
	return &c
}

// OAuth2 adapts the source to golang.org/x/oauth2's TokenSource (which takes
// no context: ctx is used for every grant it makes).
func (ts *TokenSource) OAuth2(ctx context.Context) oauth2.TokenSource {
	return oauth2Source{ctx: ctx, ts: ts}
}

type oauth2Source struct {
	ctx context.Context
	ts  *TokenSource
}

func (o oauth2Source) Token() (*oauth2.Token, error) {
	t, err := o.ts.Token(o.ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: t.AccessToken.Reveal(), TokenType: t.TokenType, Expiry: t.Expiry}, nil
}

package idportentest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
)

// MaskinportenSource registers a Maskinporten client with a fresh key and the
// given scopes, and returns a token source for it at this fake, for the tests
// and the dev sandbox of services that call APIs behind Maskinporten:
//
//	ts, _ := srv.MaskinportenSource("svarut-client", "974760673", nil, "ks:fiks")
//	svarutClient := ts.Client(nil)
//
// The base URL must be set (Config.BaseURL or SetBaseURL). hc sends the grants;
// nil means http.DefaultClient.
func (s *Server) MaskinportenSource(clientID, orgnr string, hc *http.Client, scopes ...string) (*maskinporten.TokenSource, error) {
	iss := s.Issuer(Maskinporten)
	if iss == "" {
		return nil, errors.New("idportentest: set the base URL before MaskinportenSource")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s.RegisterClient(Client{ID: clientID, Keys: map[string]crypto.PublicKey{clientID + "-key": &key.PublicKey}, Scopes: scopes, OrgNumber: orgnr})
	return maskinporten.New(maskinporten.Config{
		Issuer: iss, ClientID: clientID, Key: key, KeyID: clientID + "-key", Scopes: scopes, HTTPClient: hc,
		Now: s.cfg.Now,
	})
}

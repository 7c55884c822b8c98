package grunnmur_test

import (
	"context"
	"errors"
	"fmt"
	"go/types"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

type nilStoreCase struct {
	pkg, typ string // the package (relative to the module root) and the type with the Store field
	// use does one thing that needs the store, on a value whose Store is nil.
	use func(ctx context.Context) error
	// required, for a type whose Store must be given, says why; use then
	// checks that a nil Store gives a typed error at once.
	required string
}

// nilStoreForm is the smallest form a forms.Flow can serve.
const nilStoreForm = `{"id": "f", "version": 1, "title": "t",
  "texts": {"t": {"nb": "Skjema", "nn": "Skjema", "en": "Form"}},
  "pages": [{"id": "p", "title": "t", "components": [
    {"id": "navn", "type": "text", "bind": "/navn", "label": "t"}]}]}`

// TestNilStoreIsMemory: a nil Store means an in-memory store, in every
// package (issue #16 §6). Each entry leaves Store nil, does one thing that
// needs the store and must neither panic nor fail for want of a store. Every
// exported struct of a public package with a Store field needs an entry; one
// whose Store is required says why, and must refuse a nil Store with a typed
// error.
func TestNilStoreIsMemory(t *testing.T) {
	cases := []nilStoreCase{
		{pkg: "fiksarkiv", typ: "Config", use: func(ctx context.Context) error {
			s, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: noTransport{}, Arkiv: uuid.New()})
			if err != nil {
				return err
			}
			_, err = s.Store().Get(ctx, "no-such-exchange")
			return allow(err, fiksarkiv.ErrNotFound)
		}},
		{pkg: "auth", typ: "Manager", use: func(ctx context.Context) error {
			m := &auth.Manager{}
			r := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: "grunnmur_session", Value: "no-such-session"})
			_, err := m.Session(r)
			return allow(err, auth.ErrNoSession)
		}},
		{pkg: "booking", typ: "Service", use: func(ctx context.Context) error {
			s := &booking.Service{}
			from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
			_, err := s.Availability(ctx, "no-such-resource", from, from.Add(24*time.Hour))
			return allow(err, booking.ErrNotFound)
		}},
		{pkg: "forms", typ: "Flow", use: func(ctx context.Context) error {
			def, err := forms.Parse([]byte(nilStoreForm))
			if err != nil {
				return err
			}
			f := &forms.Flow{Def: def, Owner: func(*http.Request) (string, error) { return "owner-1", nil }}
			w := httptest.NewRecorder()
			f.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "POST", "/", nil))
			if w.Code != http.StatusSeeOther {
				return fmt.Errorf("starting a draft gave %d, want 303", w.Code)
			}
			return nil
		}},
		{pkg: "forms", typ: "DraftExpiry",
			required: "a job over the caller's drafts: a fresh in-memory store would have none to expire",
			use: func(ctx context.Context) error {
				err := (&forms.DraftExpiry{}).RunOnce(ctx)
				if !errors.Is(err, forms.ErrNoStore) {
					return fmt.Errorf("RunOnce gave %v, want forms.ErrNoStore", err)
				}
				return nil
			}},
		{pkg: "payment", typ: "Service", use: func(ctx context.Context) error {
			_, err := (&payment.Service{}).Get(ctx, "no-such-payment")
			return allow(err, payment.ErrNotFound)
		}},
		{pkg: "payment", typ: "Invoicing", use: func(ctx context.Context) error {
			_, err := (&payment.Invoicing{}).Get(ctx, "no-such-invoice")
			return allow(err, payment.ErrNotFound)
		}},
		{pkg: "sak", typ: "Service", use: func(ctx context.Context) error {
			_, _, err := (&sak.Service{}).ForOwner(ctx, "owner-1", sak.Page{})
			return err
		}},
		{pkg: "notify", typ: "Config", use: func(ctx context.Context) error {
			s, err := notify.New(notify.Config{})
			if err != nil {
				return err
			}
			_, err = s.Get(ctx, "no-such-key")
			return allow(err, notify.ErrNotFound)
		}},
		{pkg: "svarut", typ: "Outbox", use: func(ctx context.Context) error {
			c, err := svarut.New(svarut.Config{BaseURL: "http://127.0.0.1:1", KontoID: "3f9b8a7e-0000-4000-8000-000000000001",
				IntegrasjonID: "3f9b8a7e-0000-4000-8000-000000000002", IntegrasjonPassord: secret.New("password")})
			if err != nil {
				return err
			}
			o := &svarut.Outbox{Client: c, Documents: svarut.SourceFunc(nil)}
			_, err = o.Withdraw(ctx, "no-such-letter")
			return allow(err, svarut.ErrNotFound)
		}},
	}
	v := violations{}
	for _, p := range loadAPI(t) {
		if !p.public() || strings.HasSuffix(p.name, "test") {
			continue
		}
		for _, obj := range exported(p) {
			if hasStoreField(obj) && !slices.ContainsFunc(cases, func(c nilStoreCase) bool { return c.pkg == p.rel && c.typ == obj.Name() }) {
				v.add(p.rel, obj.Name(), "has a Store field but no entry in TestNilStoreIsMemory's table")
			}
		}
	}
	for _, c := range cases {
		if err := useNilStore(t.Context(), c.use); err != nil {
			v.add(c.pkg, c.typ, "with a nil Store: %v; nil must mean an in-memory store", err)
		}
	}
	v.check(t, "nil-store")
}

// allow turns the expected answer to a look-up of something missing into nil.
func allow(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return err
}

func useNilStore(ctx context.Context, use func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return use(ctx)
}

func hasStoreField(obj types.Object) bool {
	tn, ok := obj.(*types.TypeName)
	if !ok || tn.IsAlias() {
		return false
	}
	s, ok := tn.Type().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range s.Fields() {
		if f.Name() == "Store" && types.IsInterface(f.Type()) {
			return true
		}
	}
	return false
}

// noTransport is a fiksarkiv.Transport that sends nothing.
type noTransport struct{}

func (noTransport) SendFiles(context.Context, fiksio.Message, ...asice.File) (*fiksio.Sent, error) {
	return nil, errors.New("no transport")
}

package site

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/registry/krr"
)

// The Maskinporten scopes a service with ServiceConfig.Notify asks for:
// KRR's contact details and Altinn Notifications.
var notifyScopes = []string{"krr:global/kontaktinformasjon.read", notify.AltinnScope}

// ChannelPath is where Service.Notify's citizens post their choice of
// channel (ChannelChoice's form).
const ChannelPath = "/varsling/kanal"

// notifier completes c and makes the Sender: without providers of its own,
// SMS and e-mail go through Altinn Notifications, e-mail through SMTP when
// GRUNNMUR_SMTP_URL is set; KRR is the contact register; the outbox and the
// citizens' choices are in PostgreSQL with a database.
func (s *Service) notifier(c *notify.Config) (err error) {
	if c.Templates == nil {
		return fmt.Errorf("%w: Notify without Templates", ErrConfig)
	}
	x := s.Externals
	if c.Email == nil || c.SMS == nil {
		ac := x.Notifications
		ac.Maskinporten, ac.HTTPClient, ac.Now = x.Maskinporten, &http.Client{Timeout: 30 * time.Second}, s.Config.Now
		alt, err := notify.NewAltinn(ac)
		if err != nil {
			return fmt.Errorf("site: Altinn Notifications: %w", err)
		}
		if c.SMS == nil {
			c.SMS = alt
		}
		if c.Email == nil && x.SMTP != nil {
			if c.Email, err = notify.NewSMTP(*x.SMTP); err != nil {
				return fmt.Errorf("site: SMTP: %w", err)
			}
		}
		if c.Email == nil {
			c.Email = alt
		}
	}
	if c.Contacts == nil {
		kc := x.KRR
		kc.HTTPClient, kc.Now, kc.Logger = x.Maskinporten.Client(&http.Client{Timeout: 15 * time.Second}), s.Config.Now, s.Config.Logger
		if c.Contacts, err = krr.New(kc); err != nil {
			return fmt.Errorf("site: KRR: %w", err)
		}
	}
	s.Channels = &notify.MemChannels{}
	if s.DB != nil {
		s.Channels = postgres.NewNotifyChannels(s.DB)
		if c.Store == nil {
			c.Store = postgres.NewNotifyStore(s.DB)
		}
	}
	s.fill(&c.Now, &c.Logger)
	if s.Notify, err = notify.New(*c); err != nil {
		return err
	}
	s.notifyTemplates = c.Templates
	return nil
}

// NotifyCitizen sends n to the citizen pid on the channel they chose on
// Min side (ChannelChoice), e-mail when they chose none: the template
// n.Template+"."+channel ("kvittering.email", "kvittering.sms"), or the
// other channel's when the service has only that one. n.Person is pid, so
// KRR's rules apply: a reserved person gets nothing, and the Result's
// Refused says why. With a zero pid, n.To (an address the citizen gave the
// service, such as an application's contact e-mail) gets the e-mail
// template, without KRR. A failure is logged (the key, never the person)
// and returned; without ServiceConfig.Notify it is ErrConfig.
func (s *Service) NotifyCitizen(ctx context.Context, pid ident.Fodselsnummer, n notify.Notice) (res notify.Result, err error) {
	if s.Notify == nil {
		return notify.Result{}, fmt.Errorf("%w: the service has no ServiceConfig.Notify", ErrConfig)
	}
	defer func() {
		if err != nil {
			s.Config.Logger.WarnContext(ctx, "notify: not sent", "key", n.Key, "template", n.Template, "error", err)
		}
	}()
	ch, ok := notify.Email, false
	if !pid.IsZero() {
		owner, err := s.OwnerKeys.Key(forms.Owner{Person: pid})
		if err != nil {
			return notify.Result{}, err
		}
		if ch, ok, err = s.Channels.Channel(ctx, owner); err != nil {
			return notify.Result{}, err
		}
		if !ok {
			ch = notify.Email
		}
	}
	other := notify.SMS
	if ch == notify.SMS {
		other = notify.Email
	}
	name := n.Template + "." + string(ch)
	if _, has := s.notifyTemplates.Template(name); !has {
		name = n.Template + "." + string(other)
	}
	n.Template, n.Person = name, pid
	return s.Notify.Notify(ctx, n)
}

// ChannelChoice is the data of the "notifychoice" partial: the form on
// Min side where a citizen chooses e-mail or SMS. Include it in a page with
// {{template "notifychoice" .Data.Channel}} (a field of the page's data).
type ChannelChoice struct {
	Action string
	CSRF   template.HTML
	SMS    bool
	Saved  bool
	T      func(key string) string
}

// ChannelChoice is the logged-in citizen's current choice for the
// "notifychoice" partial.
func (s *Service) ChannelChoice(r *http.Request) (*ChannelChoice, error) {
	if s.Notify == nil {
		return nil, fmt.Errorf("%w: the service has no ServiceConfig.Notify", ErrConfig)
	}
	owner, err := s.Owner(r)
	if err != nil {
		return nil, err
	}
	ch, _, err := s.Channels.Channel(r.Context(), owner)
	if err != nil {
		return nil, err
	}
	lang := Lang(r)
	return &ChannelChoice{Action: ChannelPath, CSRF: s.Citizen.CSRFField(r), SMS: ch == notify.SMS,
		Saved: r.URL.Query().Get("varsling") == "lagret", T: func(k string) string { return s.Messages.T(lang, k) }}, nil
}

// channelPost stores the citizen's choice and goes back to back (a local
// path, Min side by default).
func (s *Service) channelPost(back string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		owner, err := s.Owner(r)
		if err == nil {
			err = s.Channels.SetChannel(r.Context(), owner, notify.Channel(r.PostFormValue("kanal")))
		}
		if errors.Is(err, notify.ErrInvalid) {
			s.ErrorPage(w, r, http.StatusBadRequest)
			return
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, back+"?varsling=lagret#varsling", http.StatusSeeOther)
	}
}

package site_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func receiptTemplates(t *testing.T) *notify.Templates {
	t.Helper()
	texts := func(subject, body string) map[string]notify.Text {
		return map[string]notify.Text{"nb": {Subject: subject, Body: body}, "nn": {Subject: subject, Body: body}, "en": {Subject: subject, Body: body}}
	}
	ts, err := notify.NewTemplates(
		notify.Template{Name: "kvittering.email", Channel: notify.Email, Placeholders: []string{"sak"}, Texts: texts("Kvittering ((sak))", "Vi har mottatt søknaden ((sak)).")},
		notify.Template{Name: "kvittering.sms", Channel: notify.SMS, Urgent: true, Placeholders: []string{"sak"}, Texts: texts("", "Vi har mottatt søknaden ((sak)).")},
	)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestServiceNotify: a service with Notify sends through the sandbox's
// Altinn Notifications to the address KRR holds, on the channel the citizen
// chose on Min side (e-mail until they choose), refuses a reserved person
// with a Refusal, and rejects an unknown channel.
func TestServiceNotify(t *testing.T) {
	ctx := context.Background()
	c := full()
	c.Pages = fstest.MapFS{
		"templates/mine.html":  {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1>{{template "notifychoice" .Data}}{{end}}`)},
		"templates/start.html": {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1>{{end}}`)},
	}
	c.Notify, c.ChoiceBack = &notify.Config{Templates: receiptTemplates(t)}, "/valg"
	svc, base := serve(t, c)
	svc.Mux.Handle("GET /valg", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		choice, err := svc.ChannelChoice(r)
		if err != nil {
			svc.Fail(w, r, err)
			return
		}
		svc.Render(w, r, "mine", http.StatusOK, svc.Page(r, "mine.title", choice))
	}))
	fake := svc.Fakes.Sandbox.(*devenv.Env).Notifications
	pid := registrytest.Persons()[registrytest.SigridHaugland].FNR

	res, err := svc.NotifyCitizen(ctx, pid, notify.Notice{Key: "sak-1/kvittering", Template: "kvittering", Values: map[string]string{"sak": "2026/1"}})
	if err != nil || res.Refused != "" || res.Record.Channel != notify.Email || res.Record.Template != "kvittering.email" {
		t.Fatalf("e-mail by default: %+v %v", res, err)
	}

	b := sitetest.NewBrowser(t)
	_, page := b.Login(base+"/valg?lang=en", sigrid)
	for _, w := range []string{`id="kanal-email" name="kanal" value="email" checked`, "Common Contact Register", `action="/varsling/kanal"`} {
		if !strings.Contains(page, w) {
			t.Errorf("no %q in %.3000s", w, page)
		}
	}
	resp, page := b.Post(base+site.ChannelPath, url.Values{"kanal": {"sms"}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/valg" || !strings.Contains(page, `value="sms" checked`) || !strings.Contains(page, `id="varsling-saved"`) {
		t.Fatalf("after choosing SMS: %d %s %.3000s", resp.StatusCode, resp.Request.URL, page)
	}
	if resp, _ := b.Post(base+site.ChannelPath, url.Values{"kanal": {"fax"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown channel: %d", resp.StatusCode)
	}
	if resp, _ := b.Do("POST", base+site.ChannelPath, url.Values{"kanal": {"email"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", resp.StatusCode)
	}

	res, err = svc.NotifyCitizen(ctx, pid, notify.Notice{Key: "sak-2/kvittering", Template: "kvittering", Values: map[string]string{"sak": "2026/2"}})
	if err != nil || res.Refused != "" || res.Record.Channel != notify.SMS || res.Record.To.Reveal() != "+4799000001" {
		t.Fatalf("SMS after the choice: %+v %v", res, err)
	}
	fake.Process(ctx)
	var got []string
	for _, d := range fake.Delivered() {
		got = append(got, d.SendersReference+" "+d.Channel+" "+d.To)
	}
	want := []string{"sak-1/kvittering email sigrid.haugland@example.no", "sak-2/kvittering sms +4799000001"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the fake Altinn delivered %q, want %q", got, want)
	}

	ola := registrytest.Persons()[registrytest.OlaBakken].FNR
	if res, err := svc.NotifyCitizen(ctx, ola, notify.Notice{Key: "sak-3/kvittering", Template: "kvittering", Values: map[string]string{"sak": "2026/3"}}); err != nil || res.Refused != notify.Reserved || res.Record != nil {
		t.Errorf("a reserved person: %+v %v", res, err)
	}
	if _, err := svc.NotifyCitizen(ctx, pid, notify.Notice{Key: "k", Template: "nosuch"}); !errors.Is(err, notify.ErrUnknownTemplate) {
		t.Errorf("an unknown template: %v", err)
	}
}

// TestServiceWithoutNotify: NotifyCitizen and ChannelChoice are ErrConfig,
// and no channel route is mounted.
func TestServiceWithoutNotify(t *testing.T) {
	svc, base := serve(t, full())
	if _, err := svc.NotifyCitizen(context.Background(), registrytest.Persons()[registrytest.SigridHaugland].FNR, notify.Notice{Key: "k", Template: "kvittering"}); !errors.Is(err, site.ErrConfig) {
		t.Errorf("NotifyCitizen: %v", err)
	}
	b := sitetest.NewBrowser(t)
	b.Login(base+"/mine", sigrid)
	if resp, _ := b.Post(base+site.ChannelPath, url.Values{"kanal": {"sms"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the channel route without Notify: %d", resp.StatusCode)
	}
}

// TestProductionNotifyNeedsAltinnAndKRR: in production a service with
// Notify is refused until Altinn Notifications and KRR are set, and one
// without is not asked for them.
func TestProductionNotifyNeedsAltinnAndKRR(t *testing.T) {
	getenv := func(k string) string {
		if k == "GRUNNMUR_ENV" {
			return site.Production
		}
		return ""
	}
	newSvc := func(n *notify.Config) error {
		svc, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "https://a.example", Getenv: getenv}, Notify: n})
		if err == nil {
			svc.Close()
		}
		return err
	}
	var m *site.MissingError
	err := newSvc(&notify.Config{Templates: receiptTemplates(t)})
	if !errors.As(err, &m) || !slices.Contains(m.Names, "GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL") || !slices.Contains(m.Names, "GRUNNMUR_KRR_BASE_URL") {
		t.Errorf("with Notify: %v", err)
	}
	err = newSvc(nil)
	if !errors.As(err, &m) || slices.ContainsFunc(m.Names, func(n string) bool { return strings.Contains(n, "KRR") || strings.Contains(n, "ALTINN") }) {
		t.Errorf("without Notify: %v", err)
	}
}

package notifytest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/notify"
)

// Simulator recipients force an outcome, in the manner of GOV.UK Notify's:
// the temporary ones are answered 503 on the first attempt of each
// idempotencyId (nothing stored; the retry goes through), the permanent ones
// are accepted and then fail in the status feed. A person set with
// SetPerson and no address for the channel, or not set at all, is
// NOT-00001.
const (
	TempFailEmail = "temp-fail@simulator.notify"
	PermFailEmail = "perm-fail@simulator.notify"
	TempFailPhone = "+4799999003"
	PermFailPhone = "+4799999002"
)

// AltinnConfig configures a fake Altinn Notifications API. Its zero value
// is ready to use.
type AltinnConfig struct {
	// Authorize decides on each token exchange: 0 lets it through, else the
	// status to refuse it with. nil requires a Bearer token (401 without).
	Authorize func(r *http.Request) (status int)
	// Now reads the clock that send times, reminders and the daytime window
	// are measured by; nil means time.Now.
	Now func() time.Time
	// HTTPClient calls the orders' condition endpoints; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
}

// AltinnPerson is what the fake's KRR holds about a person.
type AltinnPerson struct {
	Email, Mobile string
	Reserved      bool
}

// Delivery is a message the fake delivered.
type Delivery struct {
	ShipmentID, SendersReference, Channel, To, Subject, Body string
	At                                                       time.Time
}

// Altinn is a fake of Altinn Notifications' future API and Altinn's token
// exchange, as an http.Handler: serve it at the root of a server and give
// the client BaseURL server+"/notifications/api/v1".
//
//   - GET /authentication/api/v1/exchange/maskinporten exchanges any bearer
//     token for an Altinn token (a JWT with exp, 30 minutes); every other
//     call needs one (401).
//   - POST /future/orders, /future/orders/instant/sms and
//     /future/orders/instant/email answer 201, then 200 with the same body
//     when the idempotencyId comes again, 400 with a ValidationProblemDetails,
//     and 422 NOT-00001 for a person without contact information.
//   - Orders are sent at requestedSendTime (reminders delayDays later), SMS
//     with sendingTimePolicy Daytime (the default) only 09:00–17:00 Oslo
//     time, and only if the conditionEndpoint answers
//     {"sendNotification": true}; otherwise Order_SendConditionNotMet.
//   - GET /future/shipment/{id} (404 NOT-00003) and
//     GET /future/shipment/feed?seq=&pageSize=&orderBy= show the outcome.
type Altinn struct {
	cfg AltinnConfig
	mux *http.ServeMux

	mu        sync.Mutex
	tokens    map[string]bool
	orders    map[string]orderReply // by idempotencyId
	tempSeen  map[string]bool
	shipments map[string]*shipment
	order     []string // shipment ids in creation order
	feed      []feedEntry
	persons   map[string]AltinnPerson
	delivered []Delivery
}

type orderReply struct {
	body json.RawMessage
}

type shipment struct {
	id, ref, kind    string
	channel          string // "email", "sms" or "" (person: from the schema)
	to               string
	subject, body    string
	daytime          bool
	sendAt           time.Time
	delay            time.Duration // a reminder's delayDays, after the notification
	condition        string
	status           string
	recipientStatus  string
	lastUpdate       time.Time
	done, processing bool
}

type feedEntry struct {
	seq int64
	id  string
}

// NewAltinn returns a fake Altinn Notifications API.
func NewAltinn(cfg AltinnConfig) *Altinn {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	a := &Altinn{cfg: cfg, tokens: map[string]bool{}, orders: map[string]orderReply{}, tempSeen: map[string]bool{},
		shipments: map[string]*shipment{}, persons: map[string]AltinnPerson{}, mux: http.NewServeMux()}
	const api = "/notifications/api/v1/future"
	a.mux.HandleFunc("GET /authentication/api/v1/exchange/maskinporten", a.exchange)
	a.mux.HandleFunc("POST "+api+"/orders", a.auth(a.postOrder))
	a.mux.HandleFunc("POST "+api+"/orders/instant/sms", a.auth(a.postInstant("sms")))
	a.mux.HandleFunc("POST "+api+"/orders/instant/email", a.auth(a.postInstant("email")))
	a.mux.HandleFunc("GET "+api+"/shipment/feed", a.auth(a.getFeed))
	a.mux.HandleFunc("GET "+api+"/shipment/{id}", a.auth(a.getShipment))
	return a
}

// SetPerson puts a person in the fake's contact register.
func (a *Altinn) SetPerson(nationalIdentityNumber string, p AltinnPerson) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.persons[nationalIdentityNumber] = p
}

// Delivered returns the messages delivered so far, in order.
func (a *Altinn) Delivered() []Delivery {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.delivered)
}

func (a *Altinn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.Process(r.Context())
	a.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func problemJSON(w http.ResponseWriter, status int, title, code string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := map[string]any{"type": "https://tools.ietf.org/html/rfc9110#section-15", "title": title, "status": status}
	if code != "" {
		p["errorCode"] = code
	}
	json.NewEncoder(w).Encode(p)
}

func validation(w http.ResponseWriter, errs map[string][]string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
		"title": "One or more validation errors occurred.", "status": 400, "errors": errs})
}

func (a *Altinn) exchange(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Authorize != nil {
		if status := a.cfg.Authorize(r); status != 0 {
			problemJSON(w, status, http.StatusText(status), "")
			return
		}
	} else if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
		problemJSON(w, http.StatusUnauthorized, "Unauthorized", "")
		return
	}
	claims, _ := json.Marshal(map[string]any{"iss": "https://platform.altinn.no/authentication/api/v1/openid/",
		"exp": a.cfg.Now().Add(30 * time.Minute).Unix(), "jti": uuid.NewString(), "scope": notify.AltinnScope})
	jwt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte(uuid.NewString()))
	a.mu.Lock()
	a.tokens[jwt] = true
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, jwt)
}

func (a *Altinn) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		a.mu.Lock()
		ok := a.tokens[tok]
		a.mu.Unlock()
		if !ok || !a.valid(tok) {
			problemJSON(w, http.StatusUnauthorized, "Unauthorized", "")
			return
		}
		h(w, r)
	}
}

// valid checks the token's exp against the clock.
func (a *Altinn) valid(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct{ Exp int64 }
	if err != nil || json.Unmarshal(b, &c) != nil {
		return false
	}
	return a.cfg.Now().Before(time.Unix(c.Exp, 0))
}

// order request bodies, as the API reads them.
type (
	emailSettings struct {
		SenderEmailAddress string `json:"senderEmailAddress"`
		Subject            string `json:"subject"`
		Body               string `json:"body"`
		ContentType        string `json:"contentType"`
		SendingTimePolicy  string `json:"sendingTimePolicy"`
	}
	smsSettings struct {
		Sender            string `json:"sender"`
		Body              string `json:"body"`
		SendingTimePolicy string `json:"sendingTimePolicy"`
	}
	recipient struct {
		RecipientEmail *struct {
			EmailAddress  string         `json:"emailAddress"`
			EmailSettings *emailSettings `json:"emailSettings"`
		} `json:"recipientEmail"`
		RecipientSms *struct {
			PhoneNumber string       `json:"phoneNumber"`
			SmsSettings *smsSettings `json:"smsSettings"`
		} `json:"recipientSms"`
		RecipientPerson *struct {
			NationalIdentityNumber     string         `json:"nationalIdentityNumber"`
			ChannelSchema              string         `json:"channelSchema"`
			IgnoreReservation          bool           `json:"ignoreReservation"`
			UseStaleContactInformation bool           `json:"useStaleContactInformation"`
			EmailSettings              *emailSettings `json:"emailSettings"`
			SmsSettings                *smsSettings   `json:"smsSettings"`
		} `json:"recipientPerson"`
		RecipientOrganization     json.RawMessage `json:"recipientOrganization"`
		RecipientExternalIdentity json.RawMessage `json:"recipientExternalIdentity"`
	}
	reminder struct {
		SendersReference  string     `json:"sendersReference"`
		ConditionEndpoint string     `json:"conditionEndpoint"`
		DelayDays         *int       `json:"delayDays"`
		RequestedSendTime *time.Time `json:"requestedSendTime"`
		Recipient         *recipient `json:"recipient"`
	}
	orderRequest struct {
		IdempotencyID     string     `json:"idempotencyId"`
		SendersReference  string     `json:"sendersReference"`
		RequestedSendTime *time.Time `json:"requestedSendTime"`
		ConditionEndpoint string     `json:"conditionEndpoint"`
		Recipient         *recipient `json:"recipient"`
		Reminders         []reminder `json:"reminders"`
	}
)

// shipmentOf checks a recipient and makes its shipment (not yet stored).
// A person without contact information is noContact.
func (a *Altinn) shipmentOf(field string, rc *recipient, errs map[string][]string) (s *shipment, noContact bool) {
	if rc == nil {
		errs[field] = append(errs[field], "The Recipient field is required.")
		return nil, false
	}
	n := 0
	for _, set := range []bool{rc.RecipientEmail != nil, rc.RecipientSms != nil, rc.RecipientPerson != nil,
		len(rc.RecipientOrganization) > 0 && string(rc.RecipientOrganization) != "null",
		len(rc.RecipientExternalIdentity) > 0 && string(rc.RecipientExternalIdentity) != "null"} {
		if set {
			n++
		}
	}
	if n != 1 {
		errs[field] = append(errs[field], "Must have exactly one recipient.")
		return nil, false
	}
	s = &shipment{}
	switch {
	case rc.RecipientEmail != nil:
		e := rc.RecipientEmail
		if e.EmailAddress == "" || !strings.Contains(e.EmailAddress, "@") {
			errs[field+".RecipientEmail.EmailAddress"] = []string{"Invalid email address format."}
		}
		if !emailOK(field+".RecipientEmail.EmailSettings", e.EmailSettings, errs) {
			return nil, false
		}
		s.channel, s.to, s.subject, s.body = "email", e.EmailAddress, e.EmailSettings.Subject, e.EmailSettings.Body
		s.daytime = e.EmailSettings.SendingTimePolicy == "Daytime"
	case rc.RecipientSms != nil:
		m := rc.RecipientSms
		if !phoneOK(m.PhoneNumber) {
			errs[field+".RecipientSms.PhoneNumber"] = []string{"Invalid phone number format."}
		}
		if !smsOK(field+".RecipientSms.SmsSettings", m.SmsSettings, errs) {
			return nil, false
		}
		s.channel, s.to, s.body = "sms", m.PhoneNumber, m.SmsSettings.Body
		s.daytime = m.SmsSettings.SendingTimePolicy != "Anytime"
	case rc.RecipientPerson != nil:
		return a.personShipment(field+".RecipientPerson", rc, errs)
	default:
		errs[field] = append(errs[field], "Only recipientEmail, recipientSms and recipientPerson are supported by this fake.")
		return nil, false
	}
	if len(errs) > 0 {
		return nil, false
	}
	return s, false
}

// personShipment is shipmentOf for a recipientPerson: the address comes from
// the fake's contact register, by the channel schema.
func (a *Altinn) personShipment(f string, rc *recipient, errs map[string][]string) (s *shipment, noContact bool) {
	p := rc.RecipientPerson
	s = &shipment{}
	if len(p.NationalIdentityNumber) != 11 || strings.Trim(p.NationalIdentityNumber, "0123456789") != "" {
		errs[f+".NationalIdentityNumber"] = []string{"National identity number must be 11 digits."}
	}
	var email, sms bool
	switch p.ChannelSchema {
	case "Email":
		email = true
	case "Sms":
		sms = true
	case "EmailPreferred", "SmsPreferred", "EmailAndSms":
		email, sms = true, true
	default:
		errs[f+".ChannelSchema"] = []string{"The ChannelSchema field is required."}
		return nil, false
	}
	if email && !emailOK(f+".EmailSettings", p.EmailSettings, errs) || sms && !smsOK(f+".SmsSettings", p.SmsSettings, errs) {
		return nil, false
	}
	if len(errs) > 0 {
		return nil, false
	}
	a.mu.Lock()
	who, known := a.persons[p.NationalIdentityNumber]
	a.mu.Unlock()
	useEmail := email && who.Email != "" && (p.ChannelSchema != "SmsPreferred" || who.Mobile == "")
	useSMS := sms && who.Mobile != "" && !useEmail
	switch {
	case !known || (!useEmail && !useSMS):
		return nil, true
	case useEmail:
		s.channel, s.to, s.subject, s.body = "email", who.Email, p.EmailSettings.Subject, p.EmailSettings.Body
		s.daytime = p.EmailSettings.SendingTimePolicy == "Daytime"
	default:
		s.channel, s.to, s.body = "sms", who.Mobile, p.SmsSettings.Body
		s.daytime = p.SmsSettings.SendingTimePolicy != "Anytime"
	}
	if who.Reserved && !p.IgnoreReservation {
		s.recipientStatus = map[string]string{"email": "Email_Failed_RecipientReserved", "sms": "SMS_Failed_RecipientReserved"}[s.channel]
	}
	return s, false
}

func emailOK(field string, e *emailSettings, errs map[string][]string) bool {
	switch {
	case e == nil:
		errs[field] = []string{"The EmailSettings field is required."}
	case e.Subject == "" || e.Body == "":
		errs[field] = []string{"Subject and body are required."}
	case e.ContentType != "" && e.ContentType != "Plain" && e.ContentType != "Html":
		errs[field+".ContentType"] = []string{"ContentType must be Plain or Html."}
	default:
		return true
	}
	return false
}

func smsOK(field string, s *smsSettings, errs map[string][]string) bool {
	if s == nil || s.Body == "" {
		errs[field] = []string{"The SmsSettings body is required."}
		return false
	}
	return true
}

// phoneOK accepts international numbers (+47..., 0047...), and not 5-digit
// short numbers, as Altinn's validation does.
func phoneOK(p string) bool {
	p = strings.TrimPrefix(p, "00")
	p = strings.TrimPrefix(p, "+")
	return len(p) >= 8 && len(p) <= 15 && strings.Trim(p, "0123456789") == ""
}

func conditionOK(field, u string, errs map[string][]string) {
	if u == "" {
		return
	}
	if p, err := url.Parse(u); err != nil || !p.IsAbs() || (p.Scheme != "https" && p.Scheme != "http") {
		errs[field] = []string{"ConditionEndpoint must be an absolute URI."}
	}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		validation(w, map[string][]string{"$": {"The JSON value could not be converted."}})
		return false
	}
	return true
}

// begin reads an order's body into v and answers a replayed idempotencyId
// (*id once decoded) with 200; ok is false when it has answered. The
// errors map it returns holds a missing idempotencyId.
func (a *Altinn) begin(w http.ResponseWriter, r *http.Request, v any, id *string) (errs map[string][]string, ok bool) {
	if !decode(w, r, v) {
		return nil, false
	}
	if *id != "" && a.replay(w, *id) {
		return nil, false
	}
	errs = map[string][]string{}
	if *id == "" {
		errs["IdempotencyId"] = []string{"The IdempotencyId field is required."}
	}
	return errs, true
}

// replay answers 200 with the stored body when the idempotencyId was used.
func (a *Altinn) replay(w http.ResponseWriter, id string) bool {
	a.mu.Lock()
	prev, ok := a.orders[id]
	a.mu.Unlock()
	if ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(prev.body)
	}
	return ok
}

// tempFail answers 503 to the first attempt of an idempotencyId to a
// temporary-failure simulator recipient.
func (a *Altinn) tempFail(w http.ResponseWriter, id string, s *shipment) bool {
	if s == nil || (s.to != TempFailEmail && s.to != TempFailPhone) {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tempSeen[id] {
		return false
	}
	a.tempSeen[id] = true
	problemJSON(w, http.StatusServiceUnavailable, "Service Unavailable", "")
	return true
}

func (a *Altinn) postOrder(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	errs, ok := a.begin(w, r, &req, &req.IdempotencyID)
	if !ok {
		return
	}
	conditionOK("ConditionEndpoint", req.ConditionEndpoint, errs)
	now := a.cfg.Now()
	first, noContact := a.shipmentOf("Recipient", req.Recipient, errs)
	rems, nc := a.reminders(req.Reminders, errs)
	noContact = noContact || nc
	if req.RequestedSendTime != nil && req.RequestedSendTime.Before(now.Add(-5*time.Minute)) {
		errs["RequestedSendTime"] = []string{"Send time must be in the future. Leave blank to send immediately."}
	}
	if len(errs) > 0 {
		validation(w, errs)
		return
	}
	if noContact {
		problemJSON(w, http.StatusUnprocessableEntity, "Missing contact information for recipient(s)", notify.AltinnNoContact)
		return
	}
	if a.tempFail(w, req.IdempotencyID, first) {
		return
	}
	start := now
	if req.RequestedSendTime != nil && req.RequestedSendTime.After(now) {
		start = *req.RequestedSendTime
	}
	first.ref, first.condition, first.kind, first.sendAt = req.SendersReference, req.ConditionEndpoint, "Notification", start
	for _, s := range rems {
		if s.delay > 0 {
			s.sendAt = start.Add(s.delay)
		}
	}
	type ship struct {
		ShipmentID       string `json:"shipmentId"`
		SendersReference string `json:"sendersReference,omitempty"`
	}
	reply := struct {
		NotificationOrderID string `json:"notificationOrderId"`
		Notification        struct {
			ship
			Reminders []ship `json:"reminders"`
		} `json:"notification"`
	}{NotificationOrderID: uuid.NewString()}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, s := range append([]*shipment{first}, rems...) {
		a.store(s)
		if i == 0 {
			reply.Notification.ship = ship{s.id, s.ref}
		} else {
			reply.Notification.Reminders = append(reply.Notification.Reminders, ship{s.id, s.ref})
		}
	}
	if reply.Notification.Reminders == nil {
		reply.Notification.Reminders = []ship{}
	}
	a.reply(w, r, req.IdempotencyID, reply, first.id)
}

// reminders checks an order's reminders and makes their shipments.
func (a *Altinn) reminders(rs []reminder, errs map[string][]string) (rems []*shipment, noContact bool) {
	for i, rm := range rs {
		f := fmt.Sprintf("Reminders[%d]", i)
		conditionOK(f+".ConditionEndpoint", rm.ConditionEndpoint, errs)
		if (rm.DelayDays == nil) == (rm.RequestedSendTime == nil) {
			errs[f] = append(errs[f], "Either DelayDays or RequestedSendTime must be set, not both.")
		} else if rm.DelayDays != nil && *rm.DelayDays < 1 {
			errs[f+".DelayDays"] = []string{"DelayDays must be at least 1."}
		}
		s, nc := a.shipmentOf(f+".Recipient", rm.Recipient, errs)
		noContact = noContact || nc
		if s == nil {
			continue
		}
		s.ref, s.condition, s.kind = rm.SendersReference, rm.ConditionEndpoint, "Reminder"
		if rm.DelayDays != nil {
			s.delay = time.Duration(*rm.DelayDays) * 24 * time.Hour
		} else if rm.RequestedSendTime != nil {
			s.sendAt = *rm.RequestedSendTime
		}
		rems = append(rems, s)
	}
	return rems, noContact
}

// store registers s (under a.mu) with its send time made absolute.
func (a *Altinn) store(s *shipment) {
	s.id = uuid.NewString()
	s.status, s.lastUpdate = "Order_Registered", a.cfg.Now()
	a.shipments[s.id] = s
	a.order = append(a.order, s.id)
	a.log(s)
}

// reply stores and writes the 201 answer (under a.mu).
func (a *Altinn) reply(w http.ResponseWriter, r *http.Request, id string, v any, shipmentID string) {
	b, _ := json.Marshal(v)
	a.orders[id] = orderReply{body: b}
	w.Header().Set("Location", "/notifications/api/v1/future/shipment/"+shipmentID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

func (a *Altinn) log(s *shipment) {
	a.feed = append(a.feed, feedEntry{seq: int64(len(a.feed) + 1), id: s.id})
}

func (a *Altinn) postInstant(channel string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IdempotencyID    string `json:"idempotencyId"`
			SendersReference string `json:"sendersReference"`
			RecipientSms     *struct {
				PhoneNumber         string       `json:"phoneNumber"`
				TimeToLiveInSeconds int          `json:"timeToLiveInSeconds"`
				SmsSettings         *smsSettings `json:"smsSettings"`
			} `json:"recipientSms"`
			RecipientEmail *struct {
				EmailAddress  string         `json:"emailAddress"`
				EmailSettings *emailSettings `json:"emailSettings"`
			} `json:"recipientEmail"`
		}
		errs, ok := a.begin(w, r, &req, &req.IdempotencyID)
		if !ok {
			return
		}
		s := &shipment{channel: channel, kind: "Notification", ref: req.SendersReference}
		switch {
		case channel == "sms" && req.RecipientSms == nil:
			errs["RecipientSms"] = []string{"The RecipientSms field is required."}
		case channel == "sms":
			m := req.RecipientSms
			if !phoneOK(m.PhoneNumber) {
				errs["RecipientSms.PhoneNumber"] = []string{"Invalid phone number format."}
			}
			if m.TimeToLiveInSeconds < 1 {
				errs["RecipientSms.TimeToLiveInSeconds"] = []string{"TimeToLiveInSeconds must be positive."}
			}
			if smsOK("RecipientSms.SmsSettings", m.SmsSettings, errs) {
				s.to, s.body = m.PhoneNumber, m.SmsSettings.Body
			}
		case req.RecipientEmail == nil:
			errs["RecipientEmail"] = []string{"The RecipientEmail field is required."}
		default:
			e := req.RecipientEmail
			if !strings.Contains(e.EmailAddress, "@") {
				errs["RecipientEmail.EmailAddress"] = []string{"Invalid email address format."}
			}
			if emailOK("RecipientEmail.EmailSettings", e.EmailSettings, errs) {
				s.to, s.subject, s.body = e.EmailAddress, e.EmailSettings.Subject, e.EmailSettings.Body
			}
		}
		if len(errs) > 0 {
			validation(w, errs)
			return
		}
		if a.tempFail(w, req.IdempotencyID, s) {
			return
		}
		s.sendAt = a.cfg.Now() // instant: no daytime hold
		a.mu.Lock()
		defer a.mu.Unlock()
		a.store(s)
		a.reply(w, r, req.IdempotencyID, map[string]any{"notificationOrderId": uuid.NewString(),
			"notification": map[string]any{"shipmentId": s.id, "sendersReference": s.ref}}, s.id)
	}
}

// Process sends the shipments that are due by the clock: it asks each
// condition endpoint, then delivers, or fails a simulator recipient. Every
// request runs it first; tests may call it after moving their clock.
func (a *Altinn) Process(ctx context.Context) {
	now := a.cfg.Now()
	var window notify.Window
	a.mu.Lock()
	var due []*shipment
	for _, id := range a.order {
		s := a.shipments[id]
		if s.done || s.processing || s.sendAt.After(now) {
			continue
		}
		if s.channel == "sms" && s.daytime && window.Next(now).After(now) {
			continue
		}
		s.processing = true
		due = append(due, s)
	}
	a.mu.Unlock()
	for _, s := range due {
		send := true
		if s.condition != "" {
			send = a.ask(ctx, s.condition)
		}
		a.mu.Lock()
		s.processing, s.done, s.lastUpdate = false, true, now
		prefix := map[string]string{"email": "Email_", "sms": "SMS_"}[s.channel]
		switch {
		case !send:
			s.status = "Order_SendConditionNotMet"
		case s.recipientStatus != "":
			s.status = "Order_Completed"
		case s.to == PermFailEmail:
			s.status, s.recipientStatus = "Order_Completed", "Email_Failed_Bounced"
		case s.to == PermFailPhone:
			s.status, s.recipientStatus = "Order_Completed", "SMS_Failed_InvalidRecipient"
		default:
			s.status, s.recipientStatus = "Order_Completed", prefix+"Delivered"
			a.delivered = append(a.delivered, Delivery{ShipmentID: s.id, SendersReference: s.ref, Channel: s.channel,
				To: s.to, Subject: s.subject, Body: s.body, At: now})
		}
		a.log(s)
		a.mu.Unlock()
	}
}

// ask calls a condition endpoint; an error or an unclear answer means send,
// as Altinn does not drop a notification over a failing endpoint.
func (a *Altinn) ask(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return true
	}
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return true
	}
	defer resp.Body.Close()
	var c struct {
		SendNotification *bool `json:"sendNotification"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&c) != nil || c.SendNotification == nil {
		return true
	}
	return *c.SendNotification
}

// json is the shipment as the API shows it, in the client's own types
// (notify.AltinnShipment mirrors NotificationDeliveryManifestExt and
// StatusFeedExt).
func (s *shipment) json() notify.AltinnShipment {
	j := notify.AltinnShipment{ShipmentID: s.id, SendersReference: s.ref, Status: s.status, LastUpdate: s.lastUpdate}
	if s.recipientStatus != "" || s.done {
		st := s.recipientStatus
		if st == "" {
			st = map[string]string{"email": "Email_New", "sms": "SMS_New"}[s.channel]
		}
		j.Recipients = append(j.Recipients, notify.AltinnDelivered{Destination: s.to, Status: st, LastUpdate: s.lastUpdate})
	}
	return j
}

func (a *Altinn) getShipment(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.shipments[r.PathValue("id")]
	if !ok {
		problemJSON(w, http.StatusNotFound, "Shipment not found", notify.AltinnShipmentGone)
		return
	}
	j := s.json()
	j.Type = s.kind
	writeJSON(w, http.StatusOK, j)
}

func (a *Altinn) getFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	seq, err := strconv.ParseInt(q.Get("seq"), 10, 64)
	if q.Get("seq") == "" {
		seq, err = 0, nil
	}
	size := 50
	if v := q.Get("pageSize"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	order := q.Get("orderBy")
	if err != nil || seq < 0 || size < 1 || size > 500 || (order != "" && order != "Asc" && order != "Desc") {
		validation(w, map[string][]string{"seq": {"seq >= 0, 1 <= pageSize <= 500, orderBy Asc or Desc."}})
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []notify.AltinnShipment
	entries := a.feed
	if order == "Desc" {
		entries = slices.Clone(entries)
		slices.Reverse(entries)
	}
	for _, e := range entries {
		if e.seq <= seq {
			continue
		}
		s := a.shipments[e.id]
		j := s.json()
		j.SequenceNumber, j.ShipmentType = e.seq, s.kind
		out = append(out, j)
		if len(out) == size {
			break
		}
	}
	if out == nil {
		out = []notify.AltinnShipment{}
	}
	writeJSON(w, http.StatusOK, out)
}

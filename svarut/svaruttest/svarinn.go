package svaruttest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// IncomingFile is a file of an incoming SvarInn shipment.
type IncomingFile struct {
	Name     string
	MimeType string
	Content  []byte
	// SHA256 overrides the hash the metadata announces (hex); empty means
	// the hash of Content. Set it to test the receiver's check.
	SHA256 string
	// Size overrides the announced size; 0 means len(Content).
	Size int64
}

// Incoming is a shipment waiting in SvarInn for the receiving system.
type Incoming struct {
	Title        string
	SenderOrgnr  string
	SenderName   string
	ReceiverOrg  string
	Type         string
	ExternalRef  string
	SecurityHigh bool // sikkerhetsniva HOYESTE instead of BETYDELIG
	Files        []IncomingFile
	// Encrypted, when set, is served as the download as it is (the KS test
	// vectors); otherwise the fake zips Files and encrypts the ZIP to
	// Config.SvarInnCertificate.
	Encrypted []byte
}

// IncomingState is what the receiver reported for an incoming shipment.
type IncomingState struct {
	Status    string // "" (not yet reported), MOTTATT or FEILET
	Message   string // feil.feilmelding
	Permanent bool   // feil.permanent
	Downloads int
}

type incoming struct {
	id      string
	in      Incoming
	cipher  []byte
	at      time.Time
	state   IncomingState
	reports []IncomingState
}

// AddIncoming queues a shipment for the receiving system and returns its id.
func (s *Server) AddIncoming(in Incoming) (string, error) {
	cipher := in.Encrypted
	if cipher == nil {
		if s.cfg.SvarInnCertificate == nil {
			return "", errors.New("svaruttest: AddIncoming needs Config.SvarInnCertificate")
		}
		z, err := zipFiles(in.Files)
		if err != nil {
			return "", err
		}
		if cipher, err = Encrypt(z, s.cfg.SvarInnCertificate); err != nil {
			return "", err
		}
	}
	inc := &incoming{id: uuid.NewString(), in: in, cipher: cipher, at: s.cfg.Now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incoming[inc.id] = inc
	s.inOrder = append(s.inOrder, inc.id)
	return inc.id, nil
}

// IncomingState returns what the receiver reported for an incoming shipment.
func (s *Server) IncomingState(id string) (IncomingState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc, ok := s.incoming[id]
	if !ok {
		return IncomingState{}, false
	}
	return inc.state, true
}

// pending reports whether SvarInn still offers the shipment: not received,
// not failed permanently.
func (inc *incoming) pending() bool {
	return inc.state.Status == "" || (inc.state.Status == "FEILET" && !inc.state.Permanent)
}

type wirePostadresse struct {
	Navn          string `json:"navn"`
	Adresselinje1 string `json:"adresselinje1,omitempty"`
	Postnummer    string `json:"postnummer,omitempty"`
	Poststed      string `json:"poststed,omitempty"`
}

func (s *Server) incomingJSON(inc *incoming) map[string]any {
	filer := []map[string]any{}
	for _, f := range inc.in.Files {
		hash := f.SHA256
		if hash == "" {
			sum := sha256.Sum256(f.Content)
			hash = hex.EncodeToString(sum[:])
		}
		size := f.Size
		if size == 0 {
			size = int64(len(f.Content))
		}
		filer = append(filer, map[string]any{"filnavn": f.Name, "mimeType": f.MimeType, "hash": hash, "storrelse": size})
	}
	niva := "BETYDELIG"
	if inc.in.SecurityHigh {
		niva = "HOYESTE"
	}
	m := map[string]any{
		"id":                 inc.id,
		"avsender":           map[string]any{"organisasjonsnummer": inc.in.SenderOrgnr, "postadresse": wirePostadresse{Navn: inc.in.SenderName}},
		"mottaker":           map[string]any{"organisasjonsnummer": inc.in.ReceiverOrg, "postadresse": wirePostadresse{Navn: "Mottaker"}},
		"tittel":             inc.in.Title,
		"dato":               inc.at.UTC().Format(time.RFC3339Nano),
		"sikkerhetsniva":     niva,
		"taushetsbelagtPost": false,
		"filer":              filer,
		"nedlastingslenke":   s.baseURL + "/tjenester/svarinn/v2/forsendelser/" + inc.id,
	}
	if inc.in.Type != "" {
		m["type"] = inc.in.Type
	}
	if inc.in.ExternalRef != "" {
		m["eksternRef"] = inc.in.ExternalRef
	}
	return m
}

func (s *Server) handleSvarInnList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := []map[string]any{}
	for _, id := range s.inOrder {
		inc := s.incoming[id]
		if inc.pending() && len(out) < 200 {
			out = append(out, s.incomingJSON(inc))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSvarInnDownload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	inc, ok := s.incoming[r.PathValue("id")]
	if ok {
		inc.state.Downloads++
	}
	s.mu.Unlock()
	if !ok || !inc.pending() {
		s.writeError(w, r, http.StatusNotFound, "FORSENDELSE_IKKE_FUNNET", "Fant ikke forsendelsen", "")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, inc.id))
	w.Header().Set("Content-Length", fmt.Sprint(len(inc.cipher)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inc.cipher)
}

func (s *Server) handleSvarInnStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status string `json:"status"`
		Feil   *struct {
			Feilmelding *string `json:"feilmelding"`
			Permanent   *bool   `json:"permanent"`
		} `json:"feil"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Ugyldig JSON", "")
		return
	}
	switch req.Status {
	case "MOTTATT":
	case "FEILET":
		if req.Feil == nil || req.Feil.Feilmelding == nil || req.Feil.Permanent == nil {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "feil med feilmelding og permanent er påkrevd ved FEILET", "")
			return
		}
	default:
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "status må være MOTTATT eller FEILET", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inc, ok := s.incoming[r.PathValue("id")]
	if !ok || !inc.pending() {
		s.writeError(w, r, http.StatusNotFound, "FORSENDELSE_IKKE_FUNNET", "Fant ikke forsendelsen", "")
		return
	}
	st := IncomingState{Status: req.Status, Downloads: inc.state.Downloads}
	if req.Feil != nil && req.Status == "FEILET" {
		st.Message, st.Permanent = *req.Feil.Feilmelding, *req.Feil.Permanent
	}
	inc.state = st
	inc.reports = append(inc.reports, st)
	w.WriteHeader(http.StatusNoContent)
}

-- 0710 notify: the channel each citizen chose on Min side, by the opaque
-- owner key (never a fødselsnummer).
CREATE TABLE notify_channels (
    owner   text PRIMARY KEY,
    channel text NOT NULL CHECK (channel IN ('email', 'sms'))
);

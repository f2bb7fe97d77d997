"""The referral network's endpoints: the directory, referrals and direct services."""

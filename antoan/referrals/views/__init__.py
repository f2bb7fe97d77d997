"""Pages of the referral network: directory, pathway sheet, boxes, referral, notifications."""

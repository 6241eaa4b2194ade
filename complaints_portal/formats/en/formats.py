"""UK English with 24-hour times: Django's en-gb formats write "4:46 p.m.", the portal "16:46".

Only the formats with a time are here; dates keep Django's en-gb formats ("25 Oct 2006").
"""

TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j M Y, H:i"  # '25 Oct 2006, 14:30'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/10/2006 14:30'

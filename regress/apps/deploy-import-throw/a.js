// deploy.sql: a throw at import time (line 3, column 7, as in the stack)

throw new Error('thrown at import');

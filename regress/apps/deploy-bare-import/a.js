// deploy.sql: a bare package import, which only convex/server and convex/values may be
import _ from 'lodash';

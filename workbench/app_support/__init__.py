"""Small helpers of the Streamlit app that are not Streamlit: Xero sign-ins waiting for their
redirect, saved connections, uploads, readable evidence, findings tables, chart figures, the
questionnaire and the route's tables.

Nothing here imports streamlit (the app's pages do); every function takes and returns plain data, so
notebooks and tests can use them too.
"""
